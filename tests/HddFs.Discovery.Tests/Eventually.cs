using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace HddFs.Discovery.Tests;

internal static class Eventually
{
    /// <summary>Polls <paramref name="condition"/> until true or fails after <paramref name="timeout"/>.</summary>
    public static async Task TrueAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < timeout, $"Timed out after {timeout.TotalSeconds} s waiting for {what}");
            await Task.Delay(20);
        }
    }
}

internal static class TestAssemblySetup
{
    /// <summary>
    /// Fixtures (namespaces, mosquitto) block pool threads while external commands run, and test
    /// classes run in parallel on 2 cores: without headroom the pool injects threads slowly and
    /// timing assertions measure starvation instead of the code under test.
    /// </summary>
    [ModuleInitializer]
    internal static void RaiseThreadPoolMinimum() => ThreadPool.SetMinThreads(Math.Max(32, Environment.ProcessorCount * 8), 32);
}

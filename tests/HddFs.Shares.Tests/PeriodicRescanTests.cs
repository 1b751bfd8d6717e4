using HddFs.Core;
using HddFs.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace HddFs.Shares.Tests;

/// <summary>The periodic scans run on the injected clock: nothing happens until it moves.</summary>
public sealed class PeriodicRescanTests
{
    [Fact]
    public async Task QuickAndDeepScans_RunWhenTheirIntervalsPass()
    {
        using var temp = new Testing.TempDirectory("hddfs-periodic");
        temp.WriteFile("S/a.txt", "a");
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow, fireOnThreadPool: true);
        var options = IndexFixture.QuietOptions with { RescanInterval = TimeSpan.FromMinutes(1), DeepRescanInterval = TimeSpan.FromHours(1) };
        await using var index = await ShareIndex.OpenAsync(temp.Combine("index.db"), NullLoggerFactory.Instance, clock, options);
        await index.AddShareAsync(temp.Combine("S"));
        var changed = new SemaphoreSlim(0);
        index.Changed += (_, _) => changed.Release();

        // A new file changes the directory's ctime (quick scan material)…
        temp.WriteFile("S/b.txt", "bb");
        await WaitForTimerAsync(clock);
        clock.Advance(TimeSpan.FromSeconds(59));
        Assert.False(await changed.WaitAsync(TimeSpan.FromMilliseconds(300)));
        Assert.Null(index.GetEntry(SharePath.Parse("S/b.txt")));

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(await changed.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal(2, index.GetEntry(SharePath.Parse("S/b.txt"))!.Size);

        // …a file rewritten in place does not: only the deep scan finds it.
        await File.AppendAllTextAsync(temp.Combine("S", "a.txt"), "aaa");
        await WaitForTimerAsync(clock);
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.False(await changed.WaitAsync(TimeSpan.FromMilliseconds(500)));
        Assert.Equal(1, index.GetEntry(SharePath.Parse("S/a.txt"))!.Size);

        await WaitForTimerAsync(clock);
        clock.Advance(TimeSpan.FromHours(1));
        Assert.True(await changed.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal(4, index.GetEntry(SharePath.Parse("S/a.txt"))!.Size);
    }

    /// <summary>The loop must be waiting on its timer before the clock moves, or the move is missed.</summary>
    private static async Task WaitForTimerAsync(ManualTimeProvider clock)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (clock.ActiveTimers == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "The background loop never armed a timer.");
            await Task.Delay(10);
        }
    }
}

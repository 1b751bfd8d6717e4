using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace HddFs.Discovery.Tests;

/// <summary>Writes log lines to the test's output (shown for failing tests), with elapsed milliseconds.</summary>
internal sealed class TestOutputLogger<T>(ITestOutputHelper output, string? prefix = null) : ILogger<T>
{
    private static readonly System.Diagnostics.Stopwatch Clock = System.Diagnostics.Stopwatch.StartNew();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        try
        {
            output.WriteLine($"{Clock.ElapsedMilliseconds,7} {logLevel,-11} {prefix}{formatter(state, exception)}{(exception is null ? "" : " | " + exception.GetType().Name + ": " + exception.Message)}");
        }
        catch (InvalidOperationException)
        {
            // the test already finished
        }
    }
}

using Microsoft.Extensions.Logging;

namespace HddFs.Cache.Tests;

/// <summary>Keeps every log record, for asserting that something was (or was not) logged.</summary>
internal sealed class RecordingLogger : ILogger
{
    private readonly Lock _lock = new();
    private readonly List<(LogLevel Level, int EventId, string Message)> _records = [];

    public IReadOnlyList<(LogLevel Level, int EventId, string Message)> Records
    {
        get
        {
            lock (_lock)
            {
                return [.. _records];
            }
        }
    }

    public int Count(int eventId) => Records.Count(r => r.EventId == eventId);

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_lock)
        {
            _records.Add((logLevel, eventId.Id, formatter(state, exception)));
        }
    }
}

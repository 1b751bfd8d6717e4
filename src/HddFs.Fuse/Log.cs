namespace HddFs.Fuse;

/// <summary>
/// The binding's one logging seam (the project takes no packages, so no Microsoft.Extensions.Logging):
/// callers adapt <see cref="FuseLogHandler"/> to their logger. Thread-safe; never throws.
/// </summary>
internal sealed class Log
{
    private readonly FuseLogHandler? _handler;

    public Log(FuseLogHandler? handler, bool trace)
    {
        _handler = handler;
        IsTraceEnabled = trace;
    }

    public bool IsTraceEnabled { get; }

    public void Trace(string message) => Write(FuseLogLevel.Trace, message, null);

    public void Information(string message) => Write(FuseLogLevel.Information, message, null);

    public void Warning(string message, Exception? exception = null) => Write(FuseLogLevel.Warning, message, exception);

    public void Error(string message, Exception? exception = null) => Write(FuseLogLevel.Error, message, exception);

    private void Write(FuseLogLevel level, string message, Exception? exception)
    {
        try
        {
            if (_handler is not null)
            {
                _handler(level, message, exception);
            }
            else if (level >= FuseLogLevel.Warning || (level == FuseLogLevel.Trace && IsTraceEnabled))
            {
                Console.Error.WriteLine(exception is null ? $"fuse: {level}: {message}" : $"fuse: {level}: {message}: {exception}");
            }
        }
#pragma warning disable CA1031 // a logger that throws must not take a reader thread down
        catch (Exception)
        {
        }
#pragma warning restore CA1031
    }
}

using HddFs.Fuse;
using Microsoft.Extensions.Logging;

namespace HddFs.Mount;

/// <summary>The binding's <see cref="FuseLogHandler"/> (it takes no logging package) onto an ILogger.
/// Called from any thread; never throws (logger failures are swallowed by the binding).</summary>
internal static class FuseLogBridge
{
    public static FuseLogHandler For(ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(logger);
        return (level, message, exception) =>
        {
            var logLevel = ToLogLevel(level);
            if (logger.IsEnabled(logLevel))
            {
                logger.Fuse(logLevel, message, exception);
            }
        };
    }

    internal static LogLevel ToLogLevel(FuseLogLevel level) => level switch
    {
        FuseLogLevel.Trace => LogLevel.Trace,
        FuseLogLevel.Information => LogLevel.Information,
        FuseLogLevel.Warning => LogLevel.Warning,
        _ => LogLevel.Error,
    };
}

using Microsoft.Extensions.Logging;

namespace HddFs.Cache;

/// <summary>Source-generated log messages of HddFs.Cache (event ids 3000–3099).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3000, Level = LogLevel.Information,
        Message = "Block cache {Directory}: {Blocks} blocks, {UsedBytes} of {Capacity} bytes, opened in {ElapsedMs:0.0} ms")]
    public static partial void Opened(ILogger logger, string directory, int blocks, long usedBytes, long capacity, double elapsedMs);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning,
        Message = "Block cache {Directory} has layout '{Found}', expected '{Expected}': wiping it and starting empty")]
    public static partial void WipingForFormat(ILogger logger, string directory, string found, string expected);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning,
        Message = "Corrupt cache block {Path} ({Reason}): deleted")]
    public static partial void CorruptBlock(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Debug, Message = "Removed stray file {Path} from the block cache ({Reason})")]
    public static partial void RemovedStray(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Information,
        Message = "Block cache over its capacity of {Capacity} bytes at open: evicted {Blocks} blocks ({Bytes} bytes)")]
    public static partial void EvictedAtOpen(ILogger logger, long capacity, int blocks, long bytes);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Warning,
        Message = "Could not store cache block {Path} ({Suppressed} similar failures not logged)")]
    public static partial void WriteFailed(ILogger logger, string path, long suppressed, Exception exception);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Warning,
        Message = "Could not delete cache file {Path}; its bytes stay charged against the capacity until the next start")]
    public static partial void DeleteFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Warning,
        Message = "Ignoring the block cache access order file {Path} ({Reason}); blocks are ordered by write time")]
    public static partial void AccessOrderIgnored(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 3008, Level = LogLevel.Warning, Message = "Could not save the block cache access order to {Path}")]
    public static partial void AccessOrderSaveFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(EventId = 3009, Level = LogLevel.Debug, Message = "Cache block {Path} vanished before it could be read")]
    public static partial void BlockVanished(ILogger logger, string path);
}

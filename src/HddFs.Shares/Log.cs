using Microsoft.Extensions.Logging;

namespace HddFs.Shares;

/// <summary>Source-generated log messages of HddFs.Shares (event ids 4000–4099).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 4000, Level = LogLevel.Information, Message = "Share index {Path} opened: {Shares} shares, checked in {ElapsedMs:0.0} ms")]
    public static partial void Opened(ILogger logger, string path, int shares, double elapsedMs);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Shared {Root} as '{Name}': {Directories} directories read in {ElapsedMs:0.0} ms")]
    public static partial void ShareAdded(ILogger logger, string name, string root, int directories, double elapsedMs);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "Share '{Name}' ({Root}) removed")]
    public static partial void ShareRemoved(ILogger logger, string name, string root);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Debug,
        Message = "{Mode} scan: {Checked} directories checked, {Listed} read, {Changes} changes, {Skipped} entries skipped, {ElapsedMs:0.0} ms")]
    public static partial void ScanCompleted(ILogger logger, string mode, int @checked, int listed, int changes, int skipped, double elapsedMs);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Warning, Message = "Not sharing {Path}: {Reason}")]
    public static partial void EntrySkipped(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Debug, Message = "Not sharing {Path}: {Reason}")]
    public static partial void EntrySkippedDebug(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 4006, Level = LogLevel.Warning, Message = "{Count} more entries were not shared (not readable or unrepresentable); see debug logs")]
    public static partial void MoreSkipped(ILogger logger, int count);

    [LoggerMessage(EventId = 4007, Level = LogLevel.Warning, Message = "Cannot read directory {Path} ({Reason}): it is not shared until that changes")]
    public static partial void DirectoryUnreadable(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 4008, Level = LogLevel.Debug, Message = "Directory {Path} vanished; removed from the index")]
    public static partial void DirectoryVanished(ILogger logger, string path);

    [LoggerMessage(EventId = 4009, Level = LogLevel.Warning, Message = "Share '{Name}' is unavailable: cannot read {Root} ({Reason}); it lists as empty until it is back")]
    public static partial void ShareUnavailable(ILogger logger, string name, string root, string reason);

    [LoggerMessage(EventId = 4010, Level = LogLevel.Warning, Message = "Refused to open {Path}: it resolves to {Target}, outside the share {Root}")]
    public static partial void ReadEscapesShare(ILogger logger, string path, string target, string root);

    [LoggerMessage(EventId = 4011, Level = LogLevel.Warning, Message = "Watching {Root} for changes failed; relying on periodic rescans (and a deep rescan now)")]
    public static partial void WatcherFailed(ILogger logger, string root, Exception exception);

    [LoggerMessage(EventId = 4012, Level = LogLevel.Error, Message = "Background rescan failed; will retry at the next interval")]
    public static partial void BackgroundScanFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 4013, Level = LogLevel.Error, Message = "A Changed handler threw; the index carries on")]
    public static partial void ChangedHandlerFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 4015, Level = LogLevel.Debug, Message = "Directory {Path} is still unreadable (errno {Errno})")]
    public static partial void StillUnreadable(ILogger logger, string path, int errno);
}

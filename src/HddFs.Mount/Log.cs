using HddFs.Fuse;
using Microsoft.Extensions.Logging;

namespace HddFs.Mount;

/// <summary>The mount front end's log messages (source-generated).</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Warning, "Repaired a stale mount at {MountPoint} (its daemon had died: Transport endpoint is not connected)")]
    public static partial void RepairedStaleMount(this ILogger logger, string mountPoint);

    [LoggerMessage(2, LogLevel.Information, "Created mount point {MountPoint}")]
    public static partial void CreatedMountPoint(this ILogger logger, string mountPoint);

    [LoggerMessage(3, LogLevel.Information, "Mounted the party at {MountPoint} ({Method}, device {Device})")]
    public static partial void Mounted(this ILogger logger, string mountPoint, FuseMountMethod method, string? device);

    [LoggerMessage(4, LogLevel.Information, "FUSE 7.{Minor}: max_read {MaxRead}, max_readahead {MaxReadahead}, max_background {MaxBackground}, readdirplus {ReadDirPlus}")]
    public static partial void Negotiated(this ILogger logger, uint minor, int maxRead, int maxReadahead, int maxBackground, bool readDirPlus);

    [LoggerMessage(5, LogLevel.Information, "Unmounting {MountPoint}")]
    public static partial void Unmounting(this ILogger logger, string mountPoint);

    [LoggerMessage(6, LogLevel.Information, "Unmounted {MountPoint}")]
    public static partial void Unmounted(this ILogger logger, string mountPoint);

    [LoggerMessage(7, LogLevel.Debug, "The kernel ended the FUSE session")]
    public static partial void SessionEnded(this ILogger logger);

    [LoggerMessage(8, LogLevel.Debug, "{Operation} on node {Node}: {Errno} ({Reason})")]
    public static partial void OperationFailed(this ILogger logger, FuseOpcode operation, ulong node, Errno errno, string reason);

    [LoggerMessage(9, LogLevel.Warning, "Kernel notification {Invalidation} failed")]
    public static partial void InvalidationFailed(this ILogger logger, string invalidation, Exception exception);

    [LoggerMessage(10, LogLevel.Warning, "Kernel notifications are arriving faster than they can be sent; dropping the oldest (first: {Invalidation}). Attribute and entry timeouts bound the staleness")]
    public static partial void InvalidationsDropping(this ILogger logger, string invalidation);

    [LoggerMessage(EventId = 11, Message = "{Message}")]
    public static partial void Fuse(this ILogger logger, LogLevel level, string message, Exception? exception);

    [LoggerMessage(12, LogLevel.Error, "The session on {MountPoint} did not end after unmounting; giving up waiting")]
    public static partial void UnmountStuck(this ILogger logger, string mountPoint);
}

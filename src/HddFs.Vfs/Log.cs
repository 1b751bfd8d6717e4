using Microsoft.Extensions.Logging;

namespace HddFs.Vfs;

/// <summary>The VFS's log messages (source-generated).</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Debug, "Listed {Directory}: {Count} entries")]
    public static partial void Listed(this ILogger logger, NodeKey directory, int count);

    [LoggerMessage(2, LogLevel.Warning, "Listing {Directory} failed ({Reason}); serving the cached listing")]
    public static partial void ServingStaleListing(this ILogger logger, NodeKey directory, string reason);

    [LoggerMessage(3, LogLevel.Warning, "Peer sent {Count} invalid entries listing {Directory}; ignored them")]
    public static partial void InvalidEntries(this ILogger logger, NodeKey directory, int count);

    [LoggerMessage(4, LogLevel.Warning, "{Operation} {Target} failed: {Reason}")]
    public static partial void RemoteCallFailed(this ILogger logger, string operation, NodeKey target, string reason);

    [LoggerMessage(5, LogLevel.Warning, "Peer {Peer} timed out; uncached requests to it fail at once for {Period}")]
    public static partial void PeerTimedOut(this ILogger logger, string peer, TimeSpan period);

    [LoggerMessage(6, LogLevel.Information, "Remote file {File} changed ({Reason}); invalidating it")]
    public static partial void FileChanged(this ILogger logger, NodeKey file, string reason);

    [LoggerMessage(7, LogLevel.Error, "An Invalidated handler threw")]
    public static partial void InvalidationHandlerFailed(this ILogger logger, Exception exception);

    [LoggerMessage(9, LogLevel.Information, "Party changed: {Count} peers visible")]
    public static partial void PartyChanged(this ILogger logger, int count);

    [LoggerMessage(10, LogLevel.Error, "Handling a party change failed")]
    public static partial void PartyChangeFailed(this ILogger logger, Exception exception);

    [LoggerMessage(11, LogLevel.Warning, "Writing block {Block} of {File} to the cache failed")]
    public static partial void CacheWriteFailed(this ILogger logger, long block, string file, Exception exception);
}

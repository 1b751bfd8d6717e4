using Microsoft.Extensions.Logging;

namespace HddFs.Shares;

internal enum SkipReason
{
    Unreadable,
    NameNotUtf8,
    PathTooLong,
    SpecialFile,
    SymlinkToDirectory,
    SymlinkOutsideShare,
    SymlinkBroken,
    Vanished,
}

/// <summary>
/// State shared by the walkers and the writer of one scan: counters, the directory id allocator and
/// rate-limited reporting of skipped entries. Thread-safe (Interlocked only).
/// </summary>
internal sealed class ScanContext
{
    /// <summary>Skips logged as warnings per scan; the rest are counted in the summary.</summary>
    private const int MaxWarnings = 20;

    private readonly ILogger _logger;
    private long _lastDirectoryId;
    private int _checked;
    private int _listed;
    private int _warnings;
    private int _skipped;

    public ScanContext(ILogger logger, TimeProvider time, ShareIndexOptions options, ProcessCredentials credentials, long lastDirectoryId)
    {
        _logger = logger;
        Options = options;
        Credentials = credentials;
        _lastDirectoryId = lastDirectoryId;
        var racyWindowNs = options.RacyWindow.Ticks * 100;
        RacyThresholdNs = ((time.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000) - racyWindowNs);
    }

    public ShareIndexOptions Options { get; }

    public ProcessCredentials Credentials { get; }

    /// <summary>A directory whose ctime is at or after this (Unix ns) may still change within the
    /// same timestamp tick after it was read, so its ctime is not trusted for the next quick scan.</summary>
    public long RacyThresholdNs { get; }

    public int DirectoriesChecked => Volatile.Read(ref _checked);

    public int DirectoriesListed => Volatile.Read(ref _listed);

    public int EntriesSkipped => Volatile.Read(ref _skipped);

    public long NextDirectoryId() => Interlocked.Increment(ref _lastDirectoryId);

    public void CountChecked() => Interlocked.Increment(ref _checked);

    public void CountListed() => Interlocked.Increment(ref _listed);

    /// <summary>Reports an entry left out of the index. Things a user would expect to see shared
    /// (unreadable, unrepresentable names) are warnings, the first <see cref="MaxWarnings"/> per scan;
    /// deliberate policy (special files, symlinks) is debug.</summary>
    public void Skipped(string path, SkipReason reason)
    {
        Interlocked.Increment(ref _skipped);
        var warn = reason is SkipReason.Unreadable or SkipReason.NameNotUtf8 or SkipReason.PathTooLong;
        var level = warn && Interlocked.Increment(ref _warnings) <= MaxWarnings ? LogLevel.Warning : LogLevel.Debug;
        if (_logger.IsEnabled(level))
        {
            var description = Describe(reason);
            if (level == LogLevel.Warning)
            {
                Log.EntrySkipped(_logger, path, description);
            }
            else
            {
                Log.EntrySkippedDebug(_logger, path, description);
            }
        }
    }

    /// <summary>Warnings beyond the per-scan limit (for the summary).</summary>
    public int SuppressedWarnings => Math.Max(0, Volatile.Read(ref _warnings) - MaxWarnings);

    public static string Describe(SkipReason reason) => reason switch
    {
        SkipReason.Unreadable => "not readable by this process",
        SkipReason.NameNotUtf8 => "name is not valid UTF-8",
        SkipReason.PathTooLong => $"path longer than {Core.SharePath.MaxBytes} bytes or name longer than {Core.SharePath.MaxComponentBytes}",
        SkipReason.SpecialFile => "not a regular file or directory",
        SkipReason.SymlinkToDirectory => "symlink to a directory (never followed)",
        SkipReason.SymlinkOutsideShare => "symlink leading outside the share",
        SkipReason.SymlinkBroken => "broken or looping symlink",
        SkipReason.Vanished => "vanished while being read",
        _ => reason.ToString(),
    };
}

namespace HddFs.Shares;

/// <summary>Tuning for <see cref="ShareIndex"/>. The defaults suit a daemon; tests shorten them.</summary>
public sealed record ShareIndexOptions
{
    /// <summary>How often every known directory is stat'ed and the changed ones re-read (a safety net
    /// under the watcher). <see cref="Timeout.InfiniteTimeSpan"/> disables it.</summary>
    public TimeSpan RescanInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How often every directory is re-read, which also catches files modified in place
    /// while no watcher saw it (e.g. while hddfs was not running). Infinite disables it.</summary>
    public TimeSpan DeepRescanInterval { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Watcher events are applied once none has arrived for this long…</summary>
    public TimeSpan DebounceDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>…or at the latest this long after the first one (a steady stream of writes).</summary>
    public TimeSpan MaxDebounceDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Use inotify (FileSystemWatcher) to notice changes within a second.</summary>
    public bool WatchForChanges { get; init; } = true;

    /// <summary>Threads reading directories in parallel during a scan (one more thread writes).</summary>
    public int ScanWorkers { get; init; } = Math.Clamp(Environment.ProcessorCount, 2, 8);

    /// <summary>A directory whose ctime is this close to the time it was read is read again at the
    /// next quick scan: a change in the same timestamp tick would not move its ctime. 2 s covers
    /// filesystems with coarse timestamps (FAT).</summary>
    public TimeSpan RacyWindow { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Test hook: an errno to fail the listing of a directory (by full path) with, or 0.</summary>
    internal Func<string, int>? ListingFault { get; init; }

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ScanWorkers, 1, nameof(ScanWorkers));
        ArgumentOutOfRangeException.ThrowIfLessThan(DebounceDelay, TimeSpan.Zero, nameof(DebounceDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxDebounceDelay, DebounceDelay, nameof(MaxDebounceDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(RacyWindow, TimeSpan.Zero, nameof(RacyWindow));
        if (RescanInterval <= TimeSpan.Zero && RescanInterval != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(RescanInterval), "Must be positive or infinite.");
        }

        if (DeepRescanInterval <= TimeSpan.Zero && DeepRescanInterval != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(DeepRescanInterval), "Must be positive or infinite.");
        }
    }
}

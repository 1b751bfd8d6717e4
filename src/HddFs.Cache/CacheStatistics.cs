namespace HddFs.Cache;

/// <summary>
/// A snapshot of a cache's counters (since it was opened) and occupancy, for xattrs and metrics.
/// </summary>
/// <param name="Hits">Reads served from the cache (verified).</param>
/// <param name="Misses">Reads that found no valid block (absent, vanished or corrupt).</param>
/// <param name="Writes">Blocks stored.</param>
/// <param name="WritesDropped">Blocks not kept: no room (all space reserved by writes in flight),
/// an I/O error, or invalidated while being written.</param>
/// <param name="Evictions">Blocks removed to make room (including at open, for a lowered capacity).</param>
/// <param name="CorruptBlocks">Blocks found corrupt, truncated or misplaced (at open or on read) and deleted.</param>
/// <param name="Blocks">Blocks currently cached.</param>
/// <param name="Files">File versions with at least one cached block.</param>
/// <param name="UsedBytes">Bytes on disk charged against the capacity (blocks and writes in flight).</param>
/// <param name="Capacity">The hard cap, in bytes.</param>
public sealed record CacheStatistics(
    long Hits,
    long Misses,
    long Writes,
    long WritesDropped,
    long Evictions,
    long CorruptBlocks,
    long Blocks,
    long Files,
    long UsedBytes,
    long Capacity);

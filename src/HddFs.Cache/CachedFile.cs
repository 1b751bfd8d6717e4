using HddFs.Core;

namespace HddFs.Cache;

/// <summary>
/// The blocks cached for one file version. Owned by <see cref="DiskBlockCache"/>; every member except
/// the immutable ones is guarded by the cache's lock. Exists only while it has at least one block.
/// </summary>
internal sealed class CachedFile(FileKey key, byte[] identity)
{
    // immutable
    public FileKey Key { get; } = key;

    /// <summary>The identity bytes every block trailer of this file starts with (never mutated).</summary>
    public byte[] Identity { get; } = identity;

    // guarded by the cache's _lock
    public Dictionary<long, BlockEntry> Blocks { get; } = [];

    /// <summary>Sum of the data lengths of <see cref="Blocks"/>.</summary>
    public long DataBytes { get; set; }
}

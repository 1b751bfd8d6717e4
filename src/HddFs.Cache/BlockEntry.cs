namespace HddFs.Cache;

/// <summary>
/// One published block: its file on disk is complete (written to a temporary name, then renamed).
/// Owned by <see cref="DiskBlockCache"/>; node of the <see cref="LruList"/>.
/// </summary>
internal sealed class BlockEntry(CachedFile file, long index, int dataLength, UInt128 name, long charge)
{
    // immutable
    public CachedFile File { get; } = file;

    public long Index { get; } = index;

    public int DataLength { get; } = dataLength;

    /// <summary>Hash that names the block file (see <see cref="BlockFormat"/>).</summary>
    public UInt128 Name { get; } = name;

    /// <summary>Bytes charged against the capacity while the file exists.</summary>
    public long Charge { get; } = charge;

    public int TrailerLength => File.Identity.Length + BlockFormat.FooterLength;

    // guarded by the cache's _lock (maintained by LruList)
    public BlockEntry? Older { get; set; }

    public BlockEntry? Newer { get; set; }

    /// <summary>True while the entry is in the index (and so in the LRU list).</summary>
    public bool IsLinked { get; set; }
}

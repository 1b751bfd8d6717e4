namespace HddFs.Vfs;

/// <summary>
/// Tuning of the mount. The defaults are the documented behaviour (docs/SEMANTICS.md); tests shorten
/// the timeouts. Call <see cref="Validate"/> (the VFS constructor does).
/// </summary>
public sealed class VfsOptions
{
    /// <summary>Longest a remote call may go without progress (no response, no next page, no next bytes)
    /// before it fails with <see cref="VfsError.IoError"/>. Default 5 s.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>After a peer timed out, uncached requests to it fail at once for this long (cached
    /// listings and blocks are still served). A successful answer ends it early. Zero disables. Default 10 s.</summary>
    public TimeSpan FailFastPeriod { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a directory listing is used without asking the peer again. Default 15 s.</summary>
    public TimeSpan ListingTtl { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Attribute timeout reported to the kernel. Default 5 s.</summary>
    public TimeSpan AttributeTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Entry (name → node) timeout reported to the kernel. Default 5 s.</summary>
    public TimeSpan EntryTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Timeout the adapter gives negative entries (a lookup that found nothing). Default 5 s.</summary>
    public TimeSpan NegativeEntryTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Size of the first remote request of a read stream: 1 MiB + 128 KiB (what Linux asks for a
    /// 1 MiB read plus its readahead), rounded up to whole blocks.</summary>
    public long PrefetchInitialWindow { get; init; } = (1 << 20) + (128 << 10);

    /// <summary>Largest read-ahead window; the window doubles per sequential read up to this (and up to
    /// half of <see cref="MemoryBufferBytes"/>; a stream whose prefetched blocks are evicted before they
    /// are read halves its own limit). Zero disables prefetch (each read then fetches just its own
    /// blocks). Default 64 MiB.</summary>
    public long PrefetchMaxWindow { get; init; } = 64L << 20;

    /// <summary>Prefetch range requests in flight per open file. Default 4.</summary>
    public int PrefetchMaxRequests { get; init; } = 4;

    /// <summary>Largest single range request (rounded down to whole blocks, at least one). Default 16 MiB.</summary>
    public long MaxRequestBytes { get; init; } = 16L << 20;

    /// <summary>A read starting at most this far beyond the prefetched range, or this far before the end
    /// of the previous read, still counts as sequential (the kernel reorders concurrent reads). Default 1 MiB.</summary>
    public long SequentialTolerance { get; init; } = 1 << 20;

    /// <summary>Hard bound on the memory for blocks: blocks being fetched (readers are served from them as
    /// bytes arrive), fetched blocks waiting to be written to the block cache, prefetched or loaded blocks
    /// not yet read, recently read blocks. At least 4 blocks. One read-ahead stream uses at most half of
    /// it. Default 64 MiB.</summary>
    public long MemoryBufferBytes { get; init; } = 64L << 20;

    /// <summary>Entries of all cached directory listings together; least recently used listings are
    /// dropped beyond it. Default 500,000.</summary>
    public int MaxCachedListingEntries { get; init; } = 500_000;

    /// <summary>A directory listing with more entries than this fails with <see cref="VfsError.IoError"/>
    /// (a hostile peer cannot exhaust memory). Default 1,000,000.</summary>
    public int MaxDirectoryEntries { get; init; } = 1_000_000;

    /// <summary>Owner of every node: the mounting user's uid.</summary>
    public uint Uid { get; init; }

    /// <summary>Group of every node: the mounting user's gid.</summary>
    public uint Gid { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        static void Positive(TimeSpan value, string name)
        {
            if (value <= TimeSpan.Zero)
            {
                throw new ArgumentException($"{name} must be positive.", name);
            }
        }

        static void NotNegative(TimeSpan value, string name)
        {
            if (value < TimeSpan.Zero)
            {
                throw new ArgumentException($"{name} must not be negative.", name);
            }
        }

        Positive(RequestTimeout, nameof(RequestTimeout));
        NotNegative(FailFastPeriod, nameof(FailFastPeriod));
        NotNegative(ListingTtl, nameof(ListingTtl));
        NotNegative(AttributeTimeout, nameof(AttributeTimeout));
        NotNegative(EntryTimeout, nameof(EntryTimeout));
        NotNegative(NegativeEntryTimeout, nameof(NegativeEntryTimeout));
        if (PrefetchInitialWindow <= 0)
        {
            throw new ArgumentException("PrefetchInitialWindow must be positive.", nameof(PrefetchInitialWindow));
        }

        if (PrefetchMaxWindow < 0)
        {
            throw new ArgumentException("PrefetchMaxWindow must not be negative.", nameof(PrefetchMaxWindow));
        }

        if (PrefetchMaxRequests < 1)
        {
            throw new ArgumentException("PrefetchMaxRequests must be at least 1.", nameof(PrefetchMaxRequests));
        }

        if (MaxRequestBytes <= 0)
        {
            throw new ArgumentException("MaxRequestBytes must be positive.", nameof(MaxRequestBytes));
        }

        if (SequentialTolerance < 0 || MemoryBufferBytes < 0)
        {
            throw new ArgumentException("SequentialTolerance and MemoryBufferBytes must not be negative.");
        }

        if (MaxCachedListingEntries < 1 || MaxDirectoryEntries < 1)
        {
            throw new ArgumentException("MaxCachedListingEntries and MaxDirectoryEntries must be at least 1.");
        }
    }
}

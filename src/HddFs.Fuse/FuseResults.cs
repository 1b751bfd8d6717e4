namespace HddFs.Fuse;

/// <summary>A GETATTR answer: the attributes and how long the kernel may cache them.</summary>
public readonly record struct FuseAttributesResult(FuseAttributes Attributes, TimeSpan Timeout);

/// <summary>Flags of an OPEN/OPENDIR answer (FOPEN_*).</summary>
[Flags]
#pragma warning disable CA1711 // named after the kernel's open_flags
public enum FuseOpenFlags : uint
{
    None = 0,

    /// <summary>FOPEN_DIRECT_IO: bypass the page cache; every read(2) becomes a READ of exactly its size.</summary>
    DirectIo = 1 << 0,

    /// <summary>FOPEN_KEEP_CACHE: keep cached pages from earlier opens (invalidate with NotifyInvalidateInode).</summary>
    KeepCache = 1 << 1,

    /// <summary>FOPEN_NONSEEKABLE.</summary>
    NonSeekable = 1 << 2,

    /// <summary>FOPEN_CACHE_DIR (OPENDIR only): let the kernel cache the listing in the page cache.</summary>
    CacheDir = 1 << 3,

    /// <summary>FOPEN_STREAM: no file position at all.</summary>
    Stream = 1 << 4,

    /// <summary>FOPEN_NOFLUSH: no FLUSH on close.</summary>
    NoFlush = 1 << 5,
}
#pragma warning restore CA1711

/// <summary>An OPEN or OPENDIR answer.</summary>
public readonly record struct FuseOpenResult(FileHandle Handle, FuseOpenFlags Flags = FuseOpenFlags.None);

/// <summary>A STATFS answer (struct fuse_kstatfs), in units of <see cref="BlockSize"/>.</summary>
public readonly record struct FuseStatFs
{
    public ulong Blocks { get; init; }

    public ulong BlocksFree { get; init; }

    public ulong BlocksAvailable { get; init; }

    public ulong Files { get; init; }

    public ulong FilesFree { get; init; }

    public uint BlockSize { get; init; }

    public uint FragmentSize { get; init; }

    public uint MaxNameLength { get; init; }
}

/// <summary>What INIT negotiated; given to <see cref="FuseFileSystem.Init"/> and kept on the session.</summary>
public sealed record FuseConnectionInfo
{
    /// <summary>The protocol minor the kernel offered (7.KernelMinor).</summary>
    public uint KernelMinor { get; init; }

    /// <summary>The minor in use: min(kernel, ours).</summary>
    public uint Minor { get; init; }

    /// <summary>Largest READ the kernel will send (max_pages × page size, at most the max_read mount option).</summary>
    public int MaxRead { get; init; }

    public int MaxReadahead { get; init; }

    public int MaxBackground { get; init; }

    public int CongestionThreshold { get; init; }

    /// <summary>INIT flags the kernel offered (bits 32..63 from flags2).</summary>
    public ulong KernelFlags { get; init; }

    /// <summary>INIT flags in force (offered by the kernel and asked for by us).</summary>
    public ulong Flags { get; init; }

    public bool AsyncRead => (Flags & Interop.FuseKernel.FUSE_ASYNC_READ) != 0;

    public bool ReadDirPlus => (Flags & Interop.FuseKernel.FUSE_DO_READDIRPLUS) != 0;

    public bool ParallelDirOps => (Flags & Interop.FuseKernel.FUSE_PARALLEL_DIROPS) != 0;
}

namespace HddFs.Fuse;

/// <summary>How <see cref="FuseMount.Mount"/> attaches the filesystem.</summary>
public enum FuseMountMethod
{
    /// <summary>mount(2) when running as root, fusermount3 otherwise.</summary>
    Auto,

    /// <summary>Open /dev/fuse and call mount(2) ourselves (needs CAP_SYS_ADMIN).</summary>
    Syscall,

    /// <summary>Run the set-uid fusermount3 helper and receive the /dev/fuse descriptor over a socket.</summary>
    Fusermount,
}

/// <summary>Severity of a message from the binding.</summary>
public enum FuseLogLevel
{
    /// <summary>Per-request tracing (only when <see cref="FuseMountOptions.Debug"/> is set).</summary>
    Trace,
    Information,
    Warning,
    Error,
}

/// <summary>Receives the binding's log messages. Called from any thread; must not throw.</summary>
public delegate void FuseLogHandler(FuseLogLevel level, string message, Exception? exception);

/// <summary>Mount options and session tunables. Immutable once the mount starts.</summary>
public sealed class FuseMountOptions
{
    /// <summary>The mount's source as shown by mount(8)/df (default: <see cref="Subtype"/> or "fuse").</summary>
    public string? FsName { get; init; }

    /// <summary>Makes the filesystem type "fuse.&lt;subtype&gt;".</summary>
    public string? Subtype { get; init; }

    /// <summary>Let other users (root included) use the mount. Non-root mounts need user_allow_other in /etc/fuse.conf.</summary>
    public bool AllowOther { get; init; }

    /// <summary>Let the kernel check permissions from the mode bits instead of asking the filesystem (ACCESS).</summary>
    public bool DefaultPermissions { get; init; }

    /// <summary>Mount read-only (MS_RDONLY): the kernel refuses writes before they reach us. Mutating
    /// requests that still arrive (a read-write mount) are answered EROFS by the binding either way.</summary>
    public bool ReadOnly { get; init; } = true;

    /// <summary>Largest READ: the max_read mount option and, in INIT, max_pages = MaxRead / 4096. 4 KiB..1 MiB, a multiple of 4 KiB.</summary>
    public int MaxRead { get; init; } = 1 << 20;

    /// <summary>Kernel readahead window in KiB. INIT can only lower the 128 KiB default; as root the binding
    /// raises it through /sys/class/bdi/&lt;dev&gt;/read_ahead_kb after INIT. Null keeps the kernel default.</summary>
    public int? ReadAheadKb { get; init; }

    /// <summary>Asynchronous (readahead) requests the kernel keeps in flight (kernel default 12).</summary>
    public int MaxBackground { get; init; } = 64;

    /// <summary>Where the kernel starts to throttle background requests; default 3/4 of <see cref="MaxBackground"/>.</summary>
    public int? CongestionThreshold { get; init; }

    /// <summary>Threads blocked in read(2) on /dev/fuse. Operations complete asynchronously, so few are needed.</summary>
    public int ReaderThreads { get; init; } = 4;

    /// <summary>Ask for READDIRPLUS (listing with attributes: one request instead of a LOOKUP per entry).</summary>
    public bool ReadDirPlus { get; init; } = true;

    /// <summary>Let the kernel choose between READDIR and READDIRPLUS (FUSE_READDIRPLUS_AUTO).</summary>
    public bool ReadDirPlusAuto { get; init; }

    /// <summary>FUSE_AUTO_INVAL_DATA: drop cached pages when a file's mtime changes. Off when the filesystem
    /// invalidates explicitly with <see cref="FuseSession.NotifyInvalidateInode"/>.</summary>
    public bool AutoInvalidateData { get; init; }

    /// <summary>FUSE_EXPLICIT_INVAL_DATA: not even a size change drops cached pages; only notifications do.</summary>
    public bool ExplicitInvalidateData { get; init; }

    /// <summary>FUSE_CACHE_SYMLINKS: cache READLINK answers in the page cache.</summary>
    public bool CacheSymlinks { get; init; } = true;

    public FuseMountMethod Method { get; init; } = FuseMountMethod.Auto;

    /// <summary>Trace every request and reply at <see cref="FuseLogLevel.Trace"/>.</summary>
    public bool Debug { get; init; }

    /// <summary>Where messages go; null writes warnings and errors to standard error.</summary>
    public FuseLogHandler? Log { get; init; }

    /// <summary>How long <see cref="FuseMount.Mount"/> waits for the kernel's INIT.</summary>
    public TimeSpan InitTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long <see cref="FuseSession.Unmount"/> waits for the session to end before aborting the connection.</summary>
    public TimeSpan UnmountTimeout { get; init; } = TimeSpan.FromSeconds(5);

    internal string EffectiveFsName => FsName ?? Subtype ?? "fuse";

    internal int EffectiveCongestionThreshold => CongestionThreshold ?? Math.Max(1, MaxBackground * 3 / 4);

    internal void Validate()
    {
        if (MaxRead < 4096 || MaxRead > (1 << 20) || MaxRead % 4096 != 0)
        {
            throw new ArgumentException("MaxRead must be a multiple of 4096 between 4 KiB and 1 MiB (max_pages 256).", nameof(MaxRead));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(ReaderThreads, 1, nameof(ReaderThreads));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBackground, 1, nameof(MaxBackground));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxBackground, ushort.MaxValue, nameof(MaxBackground));
        ArgumentOutOfRangeException.ThrowIfLessThan(EffectiveCongestionThreshold, 1, nameof(CongestionThreshold));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(EffectiveCongestionThreshold, MaxBackground, nameof(CongestionThreshold));
        if (ReadAheadKb is { } ra)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(ra, 0, nameof(ReadAheadKb));
        }

        foreach (var (value, name) in new[] { (FsName, nameof(FsName)), (Subtype, nameof(Subtype)) })
        {
            if (value is not null && (value.Length == 0 || value.AsSpan().IndexOfAny(",\0\n") >= 0))
            {
                throw new ArgumentException("must be non-empty without commas, NUL or newlines", name);
            }
        }
    }
}

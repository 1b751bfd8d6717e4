namespace HddFs.Mount;

/// <summary>How the daemon wants the party mounted. The rest is fixed (see README.md): file system
/// name and type "hddfs", read-only, default_permissions, 1 MiB reads.</summary>
public sealed class PartyMountOptions
{
    /// <summary>Let other users (root included) use the mount. A non-root daemon needs
    /// <c>user_allow_other</c> in /etc/fuse.conf for this; mounting fails with a message saying so
    /// otherwise. Default false: only the mounting user sees the mount.</summary>
    public bool AllowOther { get; init; }

    /// <summary>Kernel readahead window in KiB. Only root can raise it above the kernel's 128 KiB (the
    /// binding writes /sys/class/bdi/&lt;dev&gt;/read_ahead_kb); a non-root mount logs that and relies on
    /// the VFS's own read-ahead. Null keeps the kernel default. Default 1024.</summary>
    public int? ReadAheadKb { get; init; } = 1024;

    /// <summary>Threads blocked in read(2) on /dev/fuse. Operations complete asynchronously, so a few
    /// suffice. Default 4.</summary>
    public int ReaderThreads { get; init; } = 4;

    /// <summary>Asynchronous (readahead) requests the kernel keeps in flight. Default 64 (the kernel's 12
    /// capped reads in flight at 11).</summary>
    public int MaxBackground { get; init; } = 64;

    /// <summary>Expose the user.hddfs.* attributes. When false the mount answers GETXATTR with ENOSYS
    /// once and the kernel stops asking, which saves a round trip per entry on `ls -l`.
    /// Default true.</summary>
    public bool ExtendedAttributes { get; init; } = true;

    /// <summary>Kernel notifications (invalidations) waiting to be sent; the oldest are dropped beyond
    /// this. Default 4096.</summary>
    public int InvalidationQueueCapacity { get; init; } = 4096;

    /// <summary>How long an unmount waits for requests in flight before aborting the connection. Default 5 s.</summary>
    public TimeSpan UnmountTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Log every FUSE request and reply at Trace level (slow; for debugging).</summary>
    public bool TraceRequests { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (ReadAheadKb is < 0)
        {
            throw new ArgumentException("ReadAheadKb must not be negative.", nameof(ReadAheadKb));
        }

        if (ReaderThreads < 1)
        {
            throw new ArgumentException("ReaderThreads must be at least 1.", nameof(ReaderThreads));
        }

        if (MaxBackground is < 1 or > ushort.MaxValue)
        {
            throw new ArgumentException("MaxBackground must be between 1 and 65535.", nameof(MaxBackground));
        }

        if (InvalidationQueueCapacity < 1)
        {
            throw new ArgumentException("InvalidationQueueCapacity must be at least 1.", nameof(InvalidationQueueCapacity));
        }

        if (UnmountTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("UnmountTimeout must be positive.", nameof(UnmountTimeout));
        }
    }
}

namespace HddFs.Fuse;

/// <summary>
/// What stat(2) shows for a node (struct fuse_attr). <see cref="Type"/> and <see cref="Permissions"/>
/// make up st_mode. Times have 100 ns resolution (the kernel is told time_gran = 1 ns; the extra
/// digits are zero).
/// </summary>
public readonly record struct FuseAttributes
{
    /// <summary>st_ino as programs see it (need not equal the NodeId).</summary>
    public ulong Ino { get; init; }

    public FuseFileType Type { get; init; }

    /// <summary>Permission bits, including set-uid/set-gid/sticky.</summary>
    public UnixFileMode Permissions { get; init; }

    public ulong Size { get; init; }

    /// <summary>512-byte blocks; null means "derive from Size".</summary>
    public ulong? Blocks { get; init; }

    public uint LinkCount { get; init; }

    public uint Uid { get; init; }

    public uint Gid { get; init; }

    public uint RDev { get; init; }

    /// <summary>Preferred I/O size (st_blksize); 0 lets the kernel choose.</summary>
    public uint BlockSize { get; init; }

    public DateTimeOffset AccessTime { get; init; }

    public DateTimeOffset ModificationTime { get; init; }

    public DateTimeOffset ChangeTime { get; init; }

    /// <summary>The st_mode word: S_IFMT bits from <see cref="Type"/> plus <see cref="Permissions"/>.</summary>
    public uint Mode => ((uint)Type << 12) | ((uint)Permissions & 0xFFF);

    internal Interop.fuse_attr ToKernel()
    {
        var attr = new Interop.fuse_attr
        {
            ino = Ino,
            size = Size,
            blocks = Blocks ?? ((Size + 511) / 512),
            mode = Mode,
            nlink = LinkCount == 0 ? 1 : LinkCount,
            uid = Uid,
            gid = Gid,
            rdev = RDev,
            blksize = BlockSize,
        };
        (attr.atime, attr.atimensec) = ToKernelTime(AccessTime);
        (attr.mtime, attr.mtimensec) = ToKernelTime(ModificationTime);
        (attr.ctime, attr.ctimensec) = ToKernelTime(ChangeTime);
        return attr;
    }

    /// <summary>Seconds and nanoseconds since the epoch; times before 1970 are clamped to 0.</summary>
    internal static (ulong Seconds, uint Nanoseconds) ToKernelTime(DateTimeOffset time)
    {
        var ticks = time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        if (ticks <= 0)
        {
            return (0, 0);
        }

        return ((ulong)(ticks / TimeSpan.TicksPerSecond), (uint)(ticks % TimeSpan.TicksPerSecond * 100));
    }

    /// <summary>A cache timeout as seconds + nanoseconds; negative timeouts are 0 (no caching).</summary>
    internal static (ulong Seconds, uint Nanoseconds) ToKernelTimeout(TimeSpan timeout)
    {
        if (timeout <= TimeSpan.Zero)
        {
            return (0, 0);
        }

        if (timeout.TotalSeconds >= uint.MaxValue)
        {
            return (uint.MaxValue, 0); // "forever" (136 years) without overflowing the kernel's signed seconds
        }

        return ((ulong)(timeout.Ticks / TimeSpan.TicksPerSecond), (uint)(timeout.Ticks % TimeSpan.TicksPerSecond * 100));
    }
}

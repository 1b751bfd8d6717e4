using System.Runtime.InteropServices;

namespace HddFs.Shares.Interop;

internal static partial class Libc
{
    /// <summary>statx(2) (glibc ≥ 2.28). Returns 0 or -1 with errno.</summary>
    [DllImport(Library, EntryPoint = "statx", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    internal static extern int Statx(int dirFd, ref byte path, int flags, uint mask, out StatxBuffer buffer);

    /// <summary>STATX_BASIC_STATS: type, mode, nlink, uid, gid, atime, mtime, ctime, ino, size, blocks.</summary>
    internal const uint StatxBasicStats = 0x7ff;

    internal const int SIfMt = 0xF000;
    internal const int SIfDir = 0x4000;
    internal const int SIfReg = 0x8000;
    internal const int SIfLnk = 0xA000;

    private static readonly byte[] EmptyPath = [0];

    /// <summary>statx of an open descriptor (AT_EMPTY_PATH). Returns 0 or errno.</summary>
    internal static int StatxFd(int fd, out StatxBuffer buffer)
        => Statx(fd, ref EmptyPath[0], AtEmptyPath, StatxBasicStats, out buffer) == 0 ? 0 : LastError;

    /// <summary>statx of an absolute or <paramref name="dirFd"/>-relative path. Returns 0 or errno.</summary>
    internal static int StatxPath(int dirFd, ref byte nulTerminatedPath, bool followSymlink, out StatxBuffer buffer)
    {
        var flags = AtNoAutomount | (followSymlink ? 0 : AtSymlinkNoFollow);
        return Statx(dirFd, ref nulTerminatedPath, flags, StatxBasicStats, out buffer) == 0 ? 0 : LastError;
    }
}

/// <summary>
/// <c>struct statx</c> from linux/stat.h: 256 bytes with a fixed layout on every architecture (which
/// is why statx is used instead of stat, whose layout differs between x86-64 and arm64). Only the
/// fields hddfs reads are mapped.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 256)]
internal struct StatxBuffer
{
    [FieldOffset(0)] public uint Mask;
    [FieldOffset(20)] public uint Uid;
    [FieldOffset(24)] public uint Gid;
    [FieldOffset(28)] public ushort Mode;
    [FieldOffset(32)] public ulong Ino;
    [FieldOffset(40)] public ulong Size;
    [FieldOffset(96)] public long CtimeSec;
    [FieldOffset(104)] public uint CtimeNsec;
    [FieldOffset(112)] public long MtimeSec;
    [FieldOffset(120)] public uint MtimeNsec;
    [FieldOffset(136)] public uint DevMajor;
    [FieldOffset(140)] public uint DevMinor;

    public readonly int FileType => Mode & Libc.SIfMt;

    public readonly bool IsDirectory => FileType == Libc.SIfDir;

    public readonly bool IsRegularFile => FileType == Libc.SIfReg;

    public readonly bool IsSymlink => FileType == Libc.SIfLnk;

    /// <summary>Modification time in Unix milliseconds (floored).</summary>
    public readonly long ModifiedUnixMs => (MtimeSec * 1000) + (MtimeNsec / 1_000_000);

    /// <summary>Status-change time in Unix nanoseconds: changes whenever an entry is added, removed or
    /// renamed in a directory, and on chmod; cannot be set by users (unlike mtime).</summary>
    public readonly long ChangeUnixNs => (CtimeSec * 1_000_000_000) + CtimeNsec;
}

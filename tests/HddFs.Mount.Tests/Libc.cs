using System.Runtime.InteropServices;

namespace HddFs.Mount.Tests;

/// <summary>System calls whose exact errno the tests assert (0 on success, else the errno).</summary>
internal static partial class Libc
{
    public const int ENOENT = 2;
    public const int EINTR = 4;
    public const int EIO = 5;
    public const int EROFS = 30;
    public const int ENODATA = 61;
    public const int EOPNOTSUPP = 95;

    public const int O_RDONLY = 0;
    public const int O_WRONLY = 1;
    public const int O_RDWR = 2;
    public const int O_CREAT = 0x40;
    public const int O_TRUNC = 0x200;
    public const int O_APPEND = 0x400;
    public const int R_OK = 4;
    public const int W_OK = 2;

    public static int Open(string path, int flags)
    {
        var fd = open(path, flags, 0x1A4);
        if (fd < 0)
        {
            return Marshal.GetLastPInvokeError();
        }

        _ = close(fd);
        return 0;
    }

    public static int Mkdir(string path) => Errno(mkdir(path, 0x1ED));

    public static int Rmdir(string path) => Errno(rmdir(path));

    public static int Unlink(string path) => Errno(unlink(path));

    public static int Rename(string from, string to) => Errno(rename(from, to));

    public static int Chmod(string path, int mode) => Errno(chmod(path, mode));

    public static int Chown(string path, int uid, int gid) => Errno(chown(path, uid, gid));

    public static int Truncate(string path, long length) => Errno(truncate(path, length));

    public static int Symlink(string target, string path) => Errno(symlink(target, path));

    public static int Link(string from, string to) => Errno(link(from, to));

    public static int Access(string path, int mode) => Errno(access(path, mode));

    public static int TouchTimes(string path) => Errno(utimensat(-100 /* AT_FDCWD */, path, 0, 0));

    public static unsafe int SetXAttr(string path, string name, byte[] value)
    {
        fixed (byte* p = value)
        {
            return Errno(setxattr(path, name, p, (nuint)value.Length, 0));
        }
    }

    public static int RemoveXAttr(string path, string name) => Errno(removexattr(path, name));

    /// <summary>getxattr(2): the value's length, or minus the errno.</summary>
    public static unsafe long GetXAttr(string path, string name, byte[]? buffer)
    {
        fixed (byte* p = buffer)
        {
            var n = getxattr(path, name, p, (nuint)(buffer?.Length ?? 0));
            return n >= 0 ? n : -Marshal.GetLastPInvokeError();
        }
    }

    /// <summary>Opens read-only and reads from <paramref name="offset"/>: bytes read, or minus the errno.</summary>
    public static unsafe long ReadAt(string path, long offset, byte[] buffer)
    {
        var fd = open(path, O_RDONLY, 0);
        if (fd < 0)
        {
            return -Marshal.GetLastPInvokeError();
        }

        try
        {
            fixed (byte* p = buffer)
            {
                var n = pread(fd, p, (nuint)buffer.Length, offset);
                return n >= 0 ? n : -Marshal.GetLastPInvokeError();
            }
        }
        finally
        {
            _ = close(fd);
        }
    }

    private static int Errno(int result) => result == 0 ? 0 : Marshal.GetLastPInvokeError();

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags, int mode);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial nint pread(int fd, byte* buffer, nuint count, long offset);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int mkdir(string path, int mode);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int rmdir(string path);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int unlink(string path);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int rename(string from, string to);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int chmod(string path, int mode);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int chown(string path, int uid, int gid);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int truncate(string path, long length);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int symlink(string target, string path);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int link(string from, string to);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int access(string path, int mode);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int utimensat(int dirfd, string path, nint times, int flags);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int setxattr(string path, string name, byte* value, nuint size, int flags);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int removexattr(string path, string name);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial nint getxattr(string path, string name, byte* value, nuint size);
}

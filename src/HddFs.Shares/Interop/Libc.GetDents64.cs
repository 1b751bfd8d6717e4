using System.Runtime.InteropServices;

namespace HddFs.Shares.Interop;

internal static partial class Libc
{
    /// <summary>
    /// getdents64(2) (glibc ≥ 2.30): fills <paramref name="buffer"/> with <c>linux_dirent64</c> records
    /// { u64 d_ino; s64 d_off; u16 d_reclen; u8 d_type; char d_name[] (NUL-terminated) }. Returns the
    /// number of bytes written, 0 at the end of the directory, -1 on error.
    /// </summary>
    [DllImport(Library, EntryPoint = "getdents64", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    internal static extern nint GetDents64(int fd, ref byte buffer, nuint count);

    internal const int DirentReclenOffset = 16;
    internal const int DirentTypeOffset = 18;
    internal const int DirentNameOffset = 19;

    // d_type values
    internal const byte DtUnknown = 0;
    internal const byte DtDir = 4;
}

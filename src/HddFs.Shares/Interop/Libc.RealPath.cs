using System.Runtime.InteropServices;

namespace HddFs.Shares.Interop;

internal static partial class Libc
{
    /// <summary>realpath(3) into a caller buffer of <see cref="PathMax"/> bytes. Returns NULL on error.</summary>
    [DllImport(Library, EntryPoint = "realpath", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    internal static extern nint RealPath(ref byte path, ref byte resolved);

    /// <summary>readlink(2). Returns the number of bytes written (not NUL-terminated) or -1.</summary>
    [DllImport(Library, EntryPoint = "readlink", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    internal static extern nint ReadLink(ref byte path, ref byte buffer, nuint size);
}

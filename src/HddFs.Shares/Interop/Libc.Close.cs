using System.Runtime.InteropServices;

namespace HddFs.Shares.Interop;

internal static partial class Libc
{
    /// <summary>close(2). Never retried on EINTR (Linux has already released the descriptor).</summary>
    [DllImport(Library, EntryPoint = "close", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    internal static extern int Close(int fd);
}

using System.Runtime.InteropServices;

namespace HddFs.Shares.Interop;

internal static partial class Libc
{
    /// <summary>open(2) without O_CREAT (so the variadic mode argument is never needed).</summary>
    [DllImport(Library, EntryPoint = "open", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    internal static extern int Open(ref byte path, int flags);

    /// <summary>Opens <paramref name="path"/>, retrying on EINTR. Returns the descriptor or -errno.</summary>
    internal static int OpenPath(byte[] nulTerminatedPath, int flags)
    {
        while (true)
        {
            var fd = Open(ref nulTerminatedPath[0], flags | OCloExec);
            if (fd >= 0)
            {
                return fd;
            }

            var errno = LastError;
            if (errno != EIntr)
            {
                return -errno;
            }
        }
    }
}

using System.Runtime.InteropServices;

namespace HddFs.Fuse;

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const int F_SETFD = 2;
        internal const int FD_CLOEXEC = 1;

        /// <summary>fcntl(2) with an int argument (only F_SETFD is used: to let fusermount3 inherit its socket).</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "fcntl", SetLastError = true)]
        internal static partial int fcntl(int fd, int cmd, int arg);
    }
}

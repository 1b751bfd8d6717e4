using System.Runtime.InteropServices;

namespace HddFs.Fuse;

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const int AF_UNIX = 1;
        internal const int SOCK_STREAM = 1;
        internal const int SOCK_SEQPACKET = 5;
        internal const int SOCK_CLOEXEC = 0x80000;

        /// <summary>socketpair(2): <paramref name="sv"/> points at two ints that receive the descriptors.</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "socketpair", SetLastError = true)]
        internal static unsafe partial int socketpair(int domain, int type, int protocol, int* sv);
    }
}

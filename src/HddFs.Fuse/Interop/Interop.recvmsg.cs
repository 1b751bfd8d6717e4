using System.Runtime.InteropServices;

namespace HddFs.Fuse;

#pragma warning disable CS8981 // C struct names are kept, even all lower-case ones

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const int SOL_SOCKET = 1;
        internal const int SCM_RIGHTS = 1;
        internal const int MSG_CMSG_CLOEXEC = 0x40000000;

        /// <summary>recvmsg(2); used once per mount to receive the /dev/fuse descriptor from fusermount3.</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "recvmsg", SetLastError = true)]
        internal static unsafe partial nint recvmsg(int sockfd, msghdr* msg, int flags);
    }

    /// <summary>struct msghdr from &lt;sys/socket.h&gt; (x86_64/aarch64 glibc layout; checked by the layout test).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct msghdr
    {
        public nint msg_name;
        public uint msg_namelen;
        public nint msg_iov;
        public nuint msg_iovlen;
        public nint msg_control;
        public nuint msg_controllen;
        public int msg_flags;
    }

    /// <summary>struct cmsghdr; the payload (here one int fd) follows at CMSG_DATA = offset 16.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct cmsghdr
    {
        public nuint cmsg_len;
        public int cmsg_level;
        public int cmsg_type;
    }
}

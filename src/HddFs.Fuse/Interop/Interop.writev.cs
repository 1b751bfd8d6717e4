using System.Runtime.InteropServices;

namespace HddFs.Fuse;

#pragma warning disable CS8981 // C struct names are kept, even all lower-case ones

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>writev(2): a reply whose header and payload live in different buffers, in one message.</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "writev", SetLastError = true)]
        internal static unsafe partial nint writev(SafeHandle fd, iovec* iov, int iovcnt);
    }

    /// <summary>struct iovec from &lt;sys/uio.h&gt;.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct iovec
    {
        public nint iov_base;
        public nuint iov_len;
    }
}

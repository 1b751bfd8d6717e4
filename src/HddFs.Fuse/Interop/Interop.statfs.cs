using System.Runtime.InteropServices;

namespace HddFs.Fuse;

#pragma warning disable CS8981 // C struct names are kept, even all lower-case ones

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>statfs(2). On FUSE it always reaches the daemon, so a dead one shows as ENOTCONN.</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "statfs", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static unsafe partial int statfs(string path, statfs* buf);
    }

    /// <summary>struct statfs from &lt;sys/vfs.h&gt; (64-bit glibc layout; checked by the layout test).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct statfs
    {
        public long f_type;
        public long f_bsize;
        public ulong f_blocks;
        public ulong f_bfree;
        public ulong f_bavail;
        public ulong f_files;
        public ulong f_ffree;
        public fixed int f_fsid[2];
        public long f_namelen;
        public long f_frsize;
        public long f_flags;
        public fixed long f_spare[4];
    }
}

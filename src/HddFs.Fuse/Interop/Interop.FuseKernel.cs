using System.Runtime.InteropServices;

namespace HddFs.Fuse;

// Exact mirrors of the structs of <linux/fuse.h> (protocol 7.38, the header this machine compiles
// against; the kernel speaks 7.45 and negotiates down to ours). Field names are the C names.
// Every struct here is blittable and checked field by field against gcc's sizeof/offsetof by
// FuseStructLayoutTests, which finds them by reflection: a struct added here is checked automatically.
// All integers are native-endian, as the kernel writes them.
internal static partial class Interop
{
    /// <summary>Constants of &lt;linux/fuse.h&gt; the binding uses.</summary>
    internal static class FuseKernel
    {
        internal const uint FUSE_KERNEL_VERSION = 7;

        /// <summary>The minor we implement: the header's. See native-notes/fuse.md for why not 45.</summary>
        internal const uint FUSE_KERNEL_MINOR_VERSION = 38;

        /// <summary>The oldest kernel minor we accept (Linux 3.15): READDIRPLUS, 64-byte init_out, 40-byte read_in.</summary>
        internal const uint FUSE_MIN_SUPPORTED_MINOR = 23;

        internal const ulong FUSE_ROOT_ID = 1;
        internal const int FUSE_MIN_READ_BUFFER = 8192;

        // INIT flags (flags; bits 32..63 travel in flags2 when FUSE_INIT_EXT is set).
        internal const ulong FUSE_ASYNC_READ = 1UL << 0;
        internal const ulong FUSE_POSIX_LOCKS = 1UL << 1;
        internal const ulong FUSE_ATOMIC_O_TRUNC = 1UL << 3;
        internal const ulong FUSE_EXPORT_SUPPORT = 1UL << 4;
        internal const ulong FUSE_BIG_WRITES = 1UL << 5;
        internal const ulong FUSE_DONT_MASK = 1UL << 6;
        internal const ulong FUSE_SPLICE_WRITE = 1UL << 7;
        internal const ulong FUSE_SPLICE_MOVE = 1UL << 8;
        internal const ulong FUSE_SPLICE_READ = 1UL << 9;
        internal const ulong FUSE_FLOCK_LOCKS = 1UL << 10;
        internal const ulong FUSE_HAS_IOCTL_DIR = 1UL << 11;
        internal const ulong FUSE_AUTO_INVAL_DATA = 1UL << 12;
        internal const ulong FUSE_DO_READDIRPLUS = 1UL << 13;
        internal const ulong FUSE_READDIRPLUS_AUTO = 1UL << 14;
        internal const ulong FUSE_ASYNC_DIO = 1UL << 15;
        internal const ulong FUSE_WRITEBACK_CACHE = 1UL << 16;
        internal const ulong FUSE_NO_OPEN_SUPPORT = 1UL << 17;
        internal const ulong FUSE_PARALLEL_DIROPS = 1UL << 18;
        internal const ulong FUSE_HANDLE_KILLPRIV = 1UL << 19;
        internal const ulong FUSE_POSIX_ACL = 1UL << 20;
        internal const ulong FUSE_ABORT_ERROR = 1UL << 21;
        internal const ulong FUSE_MAX_PAGES = 1UL << 22;
        internal const ulong FUSE_CACHE_SYMLINKS = 1UL << 23;
        internal const ulong FUSE_NO_OPENDIR_SUPPORT = 1UL << 24;
        internal const ulong FUSE_EXPLICIT_INVAL_DATA = 1UL << 25;
        internal const ulong FUSE_INIT_EXT = 1UL << 30;

        // fuse_open_out.open_flags
        internal const uint FOPEN_DIRECT_IO = 1 << 0;
        internal const uint FOPEN_KEEP_CACHE = 1 << 1;
        internal const uint FOPEN_NONSEEKABLE = 1 << 2;
        internal const uint FOPEN_CACHE_DIR = 1 << 3;
        internal const uint FOPEN_STREAM = 1 << 4;
        internal const uint FOPEN_NOFLUSH = 1 << 5;

        /// <summary>fuse_getattr_in.getattr_flags: fh is valid.</summary>
        internal const uint FUSE_GETATTR_FH = 1 << 0;

        // enum fuse_notify_code (sent in fuse_out_header.error with unique = 0)
        internal const int FUSE_NOTIFY_INVAL_INODE = 2;
        internal const int FUSE_NOTIFY_INVAL_ENTRY = 3;

        /// <summary>Longest name the kernel sends or accepts (FUSE_NAME_MAX of fs/fuse/fuse_i.h; not in the uapi header).</summary>
        internal const int FUSE_NAME_MAX = 1024;

        /// <summary>FUSE_NAME_OFFSET: offsetof(struct fuse_dirent, name).</summary>
        internal const int FUSE_NAME_OFFSET = 24;

        /// <summary>FUSE_NAME_OFFSET_DIRENTPLUS: offsetof(struct fuse_direntplus, dirent.name).</summary>
        internal const int FUSE_NAME_OFFSET_DIRENTPLUS = 152;

        /// <summary>FUSE_REC_ALIGN / FUSE_DIRENT_ALIGN: records are padded to 8 bytes.</summary>
        internal static int FUSE_DIRENT_ALIGN(int x) => (x + sizeof(ulong) - 1) & ~(sizeof(ulong) - 1);
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct fuse_in_header
    {
        public uint len;
        public uint opcode;
        public ulong unique;
        public ulong nodeid;
        public uint uid;
        public uint gid;
        public uint pid;
        public ushort total_extlen;
        public ushort padding;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct fuse_out_header
    {
        public uint len;
        public int error;
        public ulong unique;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct fuse_init_in
    {
        public uint major;
        public uint minor;
        public uint max_readahead;
        public uint flags;
        public uint flags2;
        public fixed uint unused[11];
    }

    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct fuse_init_out
    {
        public uint major;
        public uint minor;
        public uint max_readahead;
        public uint flags;
        public ushort max_background;
        public ushort congestion_threshold;
        public uint max_write;
        public uint time_gran;
        public ushort max_pages;
        public ushort map_alignment;
        public uint flags2;
        public fixed uint unused[7];
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct fuse_attr
    {
        public ulong ino;
        public ulong size;
        public ulong blocks;
        public ulong atime;
        public ulong mtime;
        public ulong ctime;
        public uint atimensec;
        public uint mtimensec;
        public uint ctimensec;
        public uint mode;
        public uint nlink;
        public uint uid;
        public uint gid;
        public uint rdev;
        public uint blksize;
        public uint flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct fuse_entry_out
    {
        public ulong nodeid;
        public ulong generation;
        public ulong entry_valid;
        public ulong attr_valid;
        public uint entry_valid_nsec;
        public uint attr_valid_nsec;
        public fuse_attr attr;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct fuse_forget_in
    {
        public ulong nlookup;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct fuse_forget_one
    {
        public ulong nodeid;
        public ulong nlookup;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct fuse_batch_forget_in
    {
        public uint count;
        public uint dummy;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct fuse_getattr_in
    {
        public uint getattr_flags;
        public uint dummy;
        public ulong fh;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct fuse_attr_out
    {
        public ulong attr_valid;
        public uint attr_valid_nsec;
        public uint dummy;
        public fuse_attr attr;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct fuse_open_in
    {
        public uint flags;
        public uint open_flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct fuse_open_out
    {
        public ulong fh;
        public uint open_flags;
        public uint padding;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct fuse_release_in
    {
        public ulong fh;
        public uint flags;
        public uint release_flags;
        public ulong lock_owner;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct fuse_flush_in
    {
        public ulong fh;
        public uint unused;
        public uint padding;
        public ulong lock_owner;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct fuse_read_in
    {
        public ulong fh;
        public ulong offset;
        public uint size;
        public uint read_flags;
        public ulong lock_owner;
        public uint flags;
        public uint padding;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct fuse_kstatfs
    {
        public ulong blocks;
        public ulong bfree;
        public ulong bavail;
        public ulong files;
        public ulong ffree;
        public uint bsize;
        public uint namelen;
        public uint frsize;
        public uint padding;
        public fixed uint spare[6];
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct fuse_statfs_out
    {
        public fuse_kstatfs st;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct fuse_getxattr_in
    {
        public uint size;
        public uint padding;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct fuse_getxattr_out
    {
        public uint size;
        public uint padding;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct fuse_access_in
    {
        public uint mask;
        public uint padding;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct fuse_interrupt_in
    {
        public ulong unique;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct fuse_lseek_in
    {
        public ulong fh;
        public ulong offset;
        public uint whence;
        public uint padding;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct fuse_lseek_out
    {
        public ulong offset;
    }

    /// <summary>struct fuse_dirent without its flexible <c>name[]</c>, which follows at FUSE_NAME_OFFSET.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct fuse_dirent
    {
        public ulong ino;
        public ulong off;
        public uint namelen;
        public uint type;
    }

    /// <summary>struct fuse_direntplus; the name follows at FUSE_NAME_OFFSET_DIRENTPLUS.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct fuse_direntplus
    {
        public fuse_entry_out entry_out;
        public fuse_dirent dirent;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct fuse_notify_inval_inode_out
    {
        public ulong ino;
        public long off;
        public long len;
    }

    /// <summary>Followed by the name and a NUL byte.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct fuse_notify_inval_entry_out
    {
        public ulong parent;
        public uint namelen;
        public uint flags;
    }
}

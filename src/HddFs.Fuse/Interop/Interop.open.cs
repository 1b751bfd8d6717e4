using System.Runtime.InteropServices;

namespace HddFs.Fuse;

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const int O_RDONLY = 0x0;
        internal const int O_WRONLY = 0x1;
        internal const int O_RDWR = 0x2;
        internal const int O_ACCMODE = 0x3;
        internal const int O_CREAT = 0x40;
        internal const int O_TRUNC = 0x200;
        internal const int O_APPEND = 0x400;
        internal const int O_DIRECTORY = 0x10000;
        internal const int O_CLOEXEC = 0x80000;

        /// <summary>open(2) without a mode (never creates). Returns a file descriptor or -1.</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int open(string pathname, int flags);
    }
}

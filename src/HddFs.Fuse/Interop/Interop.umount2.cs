using System.Runtime.InteropServices;

namespace HddFs.Fuse;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>Lazy unmount: detach now, let the superblock go when the last user closes.</summary>
        internal const int MNT_DETACH = 2;

        /// <summary>umount2(2). Needs CAP_SYS_ADMIN.</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "umount2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int umount2(string target, int flags);
    }
}

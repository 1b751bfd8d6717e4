using System.Runtime.InteropServices;

namespace HddFs.Fuse;

internal static partial class Interop
{
    internal static partial class Libc
    {
        [LibraryImport(Libraries.Libc, EntryPoint = "geteuid")]
        internal static partial uint geteuid();

        [LibraryImport(Libraries.Libc, EntryPoint = "getuid")]
        internal static partial uint getuid();

        [LibraryImport(Libraries.Libc, EntryPoint = "getgid")]
        internal static partial uint getgid();
    }
}

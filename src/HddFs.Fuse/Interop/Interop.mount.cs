using System.Runtime.InteropServices;

namespace HddFs.Fuse;

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const ulong MS_RDONLY = 1;
        internal const ulong MS_NOSUID = 2;
        internal const ulong MS_NODEV = 4;

        /// <summary>mount(2). Needs CAP_SYS_ADMIN; non-root mounts go through fusermount3 instead.</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "mount", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int mount(string source, string target, string filesystemtype, nuint mountflags, string? data);
    }
}

using System.Runtime.InteropServices;

namespace HddFs.Fuse;

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const int PATH_MAX = 4096;

        /// <summary>realpath(3) into a caller buffer of PATH_MAX bytes: the name mountinfo will show.</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "realpath", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static unsafe partial byte* realpath(string path, byte* resolved_path);
    }
}

using System.Runtime.InteropServices;

namespace HddFs.Fuse;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>read(2). On /dev/fuse one call returns exactly one request (or fails).</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "read", SetLastError = true)]
        internal static unsafe partial nint read(SafeHandle fd, byte* buf, nuint count);
    }
}

using System.Runtime.InteropServices;

namespace HddFs.Fuse;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>close(2). Called only by the SafeHandle that owns the descriptor (or on a raw fd never wrapped).</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "close", SetLastError = true)]
        internal static partial int close(int fd);
    }
}

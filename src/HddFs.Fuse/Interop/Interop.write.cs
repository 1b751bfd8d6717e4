using System.Runtime.InteropServices;

namespace HddFs.Fuse;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>write(2). On /dev/fuse one call carries exactly one reply or notification.</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "write", SetLastError = true)]
        internal static unsafe partial nint write(SafeHandle fd, byte* buf, nuint count);
    }
}

using System.Runtime.InteropServices;

namespace HddFs.Quic;

internal static partial class Interop
{
    internal static partial class HddFsQuic
    {
        [LibraryImport(Library)]
        internal static partial void hq_endpoint_release(nint ep);
    }
}

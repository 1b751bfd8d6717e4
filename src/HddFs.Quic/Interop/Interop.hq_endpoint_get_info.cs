using System.Runtime.InteropServices;

namespace HddFs.Quic;

internal static partial class Interop
{
    internal static partial class HddFsQuic
    {
        [LibraryImport(Library)]
        internal static unsafe partial int hq_endpoint_get_info(SafeHqEndpointHandle ep, hq_endpoint_info* info);
    }
}

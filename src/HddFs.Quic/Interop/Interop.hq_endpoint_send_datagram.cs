using System.Runtime.InteropServices;

namespace HddFs.Quic;

internal static partial class Interop
{
    internal static partial class HddFsQuic
    {
        [LibraryImport(Library)]
        internal static unsafe partial int hq_endpoint_send_datagram(SafeHqEndpointHandle ep, hq_addr* to, byte* data, ulong len, out int err);
    }
}

using System.Runtime.InteropServices;

namespace HddFs.Quic;

internal static partial class Interop
{
    internal static partial class HddFsQuic
    {
        /// <summary>Closes every connection, delivers the last events and joins the I/O thread. Must not be called
        /// from the event callback.</summary>
        [LibraryImport(Library)]
        internal static partial void hq_endpoint_shutdown(SafeHqEndpointHandle ep, int graceful, ulong app_code);
    }
}

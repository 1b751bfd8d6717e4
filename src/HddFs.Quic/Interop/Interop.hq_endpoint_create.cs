using System.Runtime.InteropServices;

namespace HddFs.Quic;

internal static partial class Interop
{
    internal static partial class HddFsQuic
    {
        /// <summary>Binds the socket, loads the certificate and starts the I/O thread. The returned pointer carries
        /// one reference, owned by a <see cref="SafeHqEndpointHandle"/>.</summary>
        [LibraryImport(Library)]
        internal static unsafe partial int hq_endpoint_create(hq_endpoint_config* cfg, out nint ep, out int err);
    }
}

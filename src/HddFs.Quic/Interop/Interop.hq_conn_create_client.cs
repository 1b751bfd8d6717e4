using System.Runtime.InteropServices;

namespace HddFs.Quic;

internal static partial class Interop
{
    internal static partial class HddFsQuic
    {
        /// <summary>Creates a client connection that sends nothing until <see cref="hq_conn_start"/>; the pointer
        /// carries one reference.</summary>
        [LibraryImport(Library)]
        internal static unsafe partial int hq_conn_create_client(SafeHqEndpointHandle ep, hq_addr* remote, byte* expected_key, ulong expected_key_len, out nint conn, out ulong key, out int err);
    }
}

using System.Runtime.InteropServices;

namespace HddFs.Quic;

internal static partial class Interop
{
    internal static partial class HddFsQuic
    {
        /// <summary>sizeof of an API struct: 0 hq_addr, 1 hq_event, 2 hq_endpoint_config, 3 hq_conn_info, 4 hq_endpoint_info.</summary>
        [LibraryImport(Library)]
        internal static partial int hq_abi_size(int which);
    }
}

using System.Runtime.InteropServices;

namespace HddFs.Quic;

internal static partial class Interop
{
    internal static partial class HddFsQuic
    {
        [LibraryImport(Library)]
        internal static unsafe partial int hq_conn_get_info(SafeHqConnectionHandle c, hq_conn_info* info);
    }
}

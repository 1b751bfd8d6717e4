using System.Runtime.InteropServices;

namespace HddFs.Quic;

internal static partial class Interop
{
    internal static partial class HddFsQuic
    {
        [LibraryImport(Library)]
        internal static partial int hq_conn_close(SafeHqConnectionHandle c, ulong app_code);
    }
}

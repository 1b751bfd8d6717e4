using System.Runtime.InteropServices;

namespace HddFs.Quic;

internal static partial class Interop
{
    internal static partial class HddFsQuic
    {
        [LibraryImport(Library)]
        internal static partial int hq_stream_shutdown(SafeHqStreamHandle s, int how, ulong code);
    }
}

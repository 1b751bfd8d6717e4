using System.Runtime.InteropServices;

namespace HddFs.Quic;

internal static partial class Interop
{
    internal static partial class HddFsQuic
    {
        /// <summary>Opens a stream; HQ_AGAIN when the peer allows no more (HQ_EV_STREAMS_AVAILABLE follows).
        /// The pointer carries one reference.</summary>
        [LibraryImport(Library)]
        internal static partial int hq_conn_open_stream(SafeHqConnectionHandle c, int bidi, out nint stream, out long stream_id);
    }
}

using System.Runtime.InteropServices;

namespace HddFs.Quic;

internal static partial class Interop
{
    internal static partial class HddFsQuic
    {
        /// <summary>Copies bytes from <paramref name="buf"/> into native send buffers (only during the call).</summary>
        [LibraryImport(Library)]
        internal static unsafe partial long hq_stream_write(SafeHqStreamHandle s, byte* buf, ulong len, int fin, out ulong code);
    }
}

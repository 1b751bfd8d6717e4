using System.Runtime.InteropServices;

namespace HddFs.Quic;

internal static partial class Interop
{
    internal static partial class HddFsQuic
    {
        /// <summary>Copies received bytes into <paramref name="buf"/> (only during the call).</summary>
        [LibraryImport(Library)]
        internal static unsafe partial long hq_stream_read(SafeHqStreamHandle s, byte* buf, ulong len, out ulong code);
    }
}

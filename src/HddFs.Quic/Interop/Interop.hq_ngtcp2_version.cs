using System.Runtime.InteropServices;

namespace HddFs.Quic;

internal static partial class Interop
{
    internal static partial class HddFsQuic
    {
        /// <summary>ngtcp2 version number, e.g. 0x000c01 for 0.12.1.</summary>
        [LibraryImport(Library)]
        internal static partial int hq_ngtcp2_version();
    }
}

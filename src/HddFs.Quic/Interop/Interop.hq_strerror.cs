using System.Runtime.InteropServices;

namespace HddFs.Quic;

internal static partial class Interop
{
    internal static partial class HddFsQuic
    {
        /// <summary>Static text for an ngtcp2 error (never freed).</summary>
        [LibraryImport(Library)]
        internal static partial nint hq_ngtcp2_strerror(int liberr);

        /// <summary>Static text for a GnuTLS error (never freed).</summary>
        [LibraryImport(Library)]
        internal static partial nint hq_gnutls_strerror(int err);
    }
}

namespace HddFs.Quic;

internal static partial class Interop
{
    /// <summary>libhddfs_quic.so, the C shim in src/HddFs.Quic/native (API in native/hddfs_quic.h).
    /// It is copied next to every assembly that references HddFs.Quic and found by the default probing
    /// of the application directory.</summary>
    internal static partial class HddFsQuic
    {
        internal const string Library = "hddfs_quic";
    }
}

using System.Runtime.InteropServices;

namespace HddFs.Quic;

/// <summary>Owns one reference to a native hq_stream. Releasing it sends a FIN if the sending side is still open
/// (buffered data is still delivered) and STOP_SENDING(0) if the receiving side is unfinished.</summary>
internal sealed class SafeHqStreamHandle : SafeHandle
{
    public SafeHqStreamHandle()
        : base(0, ownsHandle: true)
    {
    }

    internal SafeHqStreamHandle(nint handle)
        : base(0, ownsHandle: true) => SetHandle(handle);

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        Interop.HddFsQuic.hq_stream_release(handle);
        return true;
    }
}

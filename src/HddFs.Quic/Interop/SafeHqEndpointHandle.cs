using System.Runtime.InteropServices;

namespace HddFs.Quic;

/// <summary>Owns one reference to a native hq_endpoint. Releasing it shuts the endpoint down (if that did not
/// happen yet) and frees it once no connection or stream references it any more.</summary>
internal sealed class SafeHqEndpointHandle : SafeHandle
{
    public SafeHqEndpointHandle()
        : base(0, ownsHandle: true)
    {
    }

    internal SafeHqEndpointHandle(nint handle)
        : base(0, ownsHandle: true) => SetHandle(handle);

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        Interop.HddFsQuic.hq_endpoint_release(handle);
        return true;
    }
}

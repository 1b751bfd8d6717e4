using System.Runtime.InteropServices;

namespace HddFs.Quic;

/// <summary>Owns one reference to a native hq_conn. Releasing it closes the connection (code 0) if it is still
/// open; the memory goes when the I/O thread and every stream let go too.</summary>
internal sealed class SafeHqConnectionHandle : SafeHandle
{
    public SafeHqConnectionHandle()
        : base(0, ownsHandle: true)
    {
    }

    internal SafeHqConnectionHandle(nint handle)
        : base(0, ownsHandle: true) => SetHandle(handle);

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        Interop.HddFsQuic.hq_conn_release(handle);
        return true;
    }
}

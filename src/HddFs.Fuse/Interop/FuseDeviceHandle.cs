using System.Runtime.InteropServices;

namespace HddFs.Fuse;

/// <summary>
/// Owns one /dev/fuse descriptor (or, in protocol tests, one end of a SOCK_SEQPACKET pair).
/// Every read/write goes through this handle so the runtime ref-counts it: the descriptor is closed
/// only after the last in-progress call returns, so a reply written after the session ended can never
/// land on a reused descriptor number.
/// </summary>
internal sealed class FuseDeviceHandle : SafeHandle
{
    public FuseDeviceHandle()
        : base(invalidHandleValue: -1, ownsHandle: true)
    {
    }

    public FuseDeviceHandle(int fd)
        : base(invalidHandleValue: -1, ownsHandle: true)
    {
        SetHandle(fd);
    }

    public override bool IsInvalid => handle < 0;

    /// <summary>The descriptor number, for the "fd=N" mount option.</summary>
    public int Fd => (int)handle;

    protected override bool ReleaseHandle() => Interop.Libc.close((int)handle) == 0;
}

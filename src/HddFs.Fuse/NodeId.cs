namespace HddFs.Fuse;

/// <summary>
/// The kernel's name for an inode ("nodeid"): chosen by the filesystem in LOOKUP/READDIRPLUS replies and
/// valid until the kernel FORGETs every lookup of it. <see cref="Root"/> (1) is fixed; 0 means "none"
/// (a negative entry). Not the inode number <c>st_ino</c> shown to programs, which is
/// <see cref="FuseAttributes.Ino"/>.
/// </summary>
public readonly record struct NodeId(ulong Value)
{
    public static NodeId None => default;

    public static NodeId Root => new(Interop.FuseKernel.FUSE_ROOT_ID);

    public bool IsNone => Value == 0;

    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

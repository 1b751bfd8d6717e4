using System.Diagnostics.CodeAnalysis;
using HddFs.Fuse;
using HddFs.Vfs;

namespace HddFs.Mount;

/// <summary>
/// The one table that turns VFS failures into errno values (rclone's translateError). Nothing else in
/// the mount front end chooses an errno: the adapter either returns a value the binding encodes
/// (null for a missing xattr, a negative entry for a missing name) or throws what this class builds.
/// Stateless and thread-safe.
/// </summary>
internal static class ErrnoMap
{
    /// <summary>The errno for a VFS error (docs/SEMANTICS.md, "What fails, and how").</summary>
    public static Errno ToErrno(VfsError error) => error switch
    {
        VfsError.NotFound => Errno.ENOENT,
        VfsError.NotADirectory => Errno.ENOTDIR,
        VfsError.IsADirectory => Errno.EISDIR,
        VfsError.ReadOnly => Errno.EROFS,
        VfsError.IoError => Errno.EIO,
        VfsError.NoAttribute => Errno.ENODATA,
        VfsError.Interrupted => Errno.EINTR,
        VfsError.BadHandle => Errno.EBADF,
        VfsError.InvalidArgument => Errno.EINVAL,

        // An error added to the VFS but not yet to this table: fail the operation rather than the process.
        _ => Errno.EIO,
    };

    /// <summary>A failure the adapter decides itself (a write on the read-only mount, READLINK of a
    /// non-link), expressed as the VFS error it stands for so that the errno still comes from this table.</summary>
    public static FuseException Failure(VfsError error, string message) => new(ToErrno(error), message);

    /// <summary>
    /// GETXATTR of a name outside the user.* namespace (security.selinux, system.posix_acl_access, ...):
    /// EOPNOTSUPP, "this filesystem has no such attributes", rather than ENODATA. `ls -l` asks for
    /// security.selinux and system.posix_acl_access on every entry, and coreutils (ls.c's
    /// getfilecon_cache / file_has_acl_cache) remembers EOPNOTSUPP per device and stops asking, while
    /// ENODATA makes it ask again for each entry: two round trips per entry that the kernel never caches.
    /// (Names in user.* that we do not have stay ENODATA, answered by returning null.)
    /// </summary>
    public static FuseException UnsupportedAttributeNamespace(string name) => new(Errno.EOPNOTSUPP, $"hddfs has no '{name}' attribute namespace.");

    /// <summary>Any request that arrives, or was interrupted, while the mount is being unmounted: EIO.
    /// Not EINTR: the caller got no signal, and programs retry EINTR (GNU dd does), which would keep the
    /// detached mount busy until the binding aborts the connection.</summary>
    public static FuseException Unmounting(Exception? cause = null) => new(Errno.EIO, "The filesystem is being unmounted.", cause);

    /// <summary>
    /// The binding's exception for <paramref name="exception"/> when it is one the VFS is documented to
    /// throw: <see cref="VfsException"/> by its error (Interrupted becomes EIO when
    /// <paramref name="unmounting"/>, see <see cref="Unmounting"/>), <see cref="ObjectDisposedException"/>
    /// (the daemon disposed the VFS while the kernel still had requests in flight) as EIO.
    /// Anything else is a bug and is left to the binding, which answers EIO and logs it as an error.
    /// </summary>
    public static bool TryTranslate(Exception exception, bool unmounting, [NotNullWhen(true)] out FuseException? translated)
    {
        switch (exception)
        {
            case VfsException { Error: VfsError.Interrupted } when unmounting:
            case ObjectDisposedException:
                translated = Unmounting(exception);
                return true;
            case VfsException vfs:
                translated = new FuseException(ToErrno(vfs.Error), vfs.Message, vfs);
                return true;
            default:
                translated = null;
                return false;
        }
    }
}

namespace HddFs.Vfs;

/// <summary>
/// Why a VFS operation failed. The mount adapter owns the one table that turns these into errno values
/// (see docs/SEMANTICS.md for the intended mapping).
/// </summary>
public enum VfsError
{
    /// <summary>No such peer, path or node (ENOENT).</summary>
    NotFound = 1,

    /// <summary>A directory operation on a file (ENOTDIR).</summary>
    NotADirectory = 2,

    /// <summary>A file operation on a directory (EISDIR).</summary>
    IsADirectory = 3,

    /// <summary>The mount is read-only (EROFS). The VFS exposes no mutating operation; the adapter answers
    /// every mutation with this.</summary>
    ReadOnly = 4,

    /// <summary>The peer is unreachable or timed out and the data is not cached, the peer answered an
    /// error, or the remote file changed under an open handle (EIO).</summary>
    IoError = 5,

    /// <summary>No such extended attribute (ENODATA).</summary>
    NoAttribute = 6,

    /// <summary>The caller cancelled the operation (EINTR).</summary>
    Interrupted = 7,

    /// <summary>Unknown or already released file or directory handle (EBADF).</summary>
    BadHandle = 8,

    /// <summary>An argument out of range, e.g. a negative offset (EINVAL).</summary>
    InvalidArgument = 9,
}

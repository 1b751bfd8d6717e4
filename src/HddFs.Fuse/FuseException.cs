namespace HddFs.Fuse;

/// <summary>
/// The one way a <see cref="FuseFileSystem"/> operation fails with a chosen errno. Any other exception
/// escaping an operation is answered with EIO and logged (OperationCanceledException from the
/// request's own token is answered with EINTR).
/// </summary>
public sealed class FuseException : Exception
{
    public FuseException()
        : this(Errno.EIO)
    {
    }

    public FuseException(string message)
        : this(Errno.EIO, message)
    {
    }

    public FuseException(string message, Exception innerException)
        : this(Errno.EIO, message, innerException)
    {
    }

    public FuseException(Errno errno)
        : this(errno, errno.ToString())
    {
    }

    public FuseException(Errno errno, string message)
        : base(message)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero((int)errno);
        Errno = errno;
    }

    public FuseException(Errno errno, string message, Exception? innerException)
        : base(message, innerException)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero((int)errno);
        Errno = errno;
    }

    public Errno Errno { get; }
}

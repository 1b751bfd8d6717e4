namespace HddFs.Vfs;

/// <summary>The only exception the VFS throws for an operation that failed (besides
/// <see cref="ObjectDisposedException"/> after disposal and argument exceptions for programming errors).</summary>
public sealed class VfsException : Exception
{
    public VfsException(VfsError error, string message)
        : base(message) => Error = error;

    public VfsException(VfsError error, string message, Exception innerException)
        : base(message, innerException) => Error = error;

    public VfsException()
        : this(VfsError.IoError, "VFS error.")
    {
    }

    public VfsException(string message)
        : this(VfsError.IoError, message)
    {
    }

    public VfsException(string message, Exception innerException)
        : this(VfsError.IoError, message, innerException)
    {
    }

    public VfsError Error { get; }
}

namespace HddFs.Core;

/// <summary>
/// Why a request to a peer's shares failed. The first seven cross the wire (see HddFs.Protocol's
/// error map); the rest are raised locally by the client side.
/// </summary>
public enum RemoteError
{
    /// <summary>No such path in the peer's shares.</summary>
    NotFound = 1,

    /// <summary>A read was asked of a directory (or a listing of a file where that is refused).</summary>
    NotAFile = 2,

    /// <summary>The requested byte range is not valid for the file.</summary>
    BadRange = 3,

    /// <summary>A request or a field exceeded a protocol maximum.</summary>
    TooLarge = 4,

    /// <summary>The path is outside the shares, or the peer is not admitted.</summary>
    Forbidden = 5,

    /// <summary>The peer is overloaded; try again later.</summary>
    Busy = 6,

    /// <summary>The peer failed for a reason of its own (e.g. an I/O error reading its disk).</summary>
    Internal = 7,

    /// <summary>Local: the peer is not connected or could not be reached.</summary>
    Unavailable = 100,

    /// <summary>Local: the peer did not answer in time.</summary>
    Timeout = 101,

    /// <summary>Local: the peer sent something that does not follow the protocol.</summary>
    Protocol = 102,
}

/// <summary>The one exception type that crosses the remote-shares seam.</summary>
public sealed class RemoteShareException : Exception
{
    public RemoteShareException(RemoteError error, string message)
        : base(message) => Error = error;

    public RemoteShareException(RemoteError error, string message, Exception innerException)
        : base(message, innerException) => Error = error;

    public RemoteShareException()
        : this(RemoteError.Internal, "Remote share error.")
    {
    }

    public RemoteShareException(string message)
        : this(RemoteError.Internal, message)
    {
    }

    public RemoteShareException(string message, Exception innerException)
        : this(RemoteError.Internal, message, innerException)
    {
    }

    public RemoteError Error { get; }
}

namespace HddFs.Daemon.Control;

/// <summary>Stable error codes of the control API (also the CLI's exit statuses, see <see cref="ControlErrors"/>).</summary>
public enum ControlError
{
    BadRequest,
    UnknownPeer,
    AmbiguousPeer,
    NotFound,
    NotAFile,
    BadRange,
    Forbidden,
    Busy,
    Unavailable,
    Timeout,
    PeerError,
    DaemonNotRunning,
    Conflict,
    Internal,
}

/// <summary>A control-level failure with a code the CLI turns into a message and an exit status.</summary>
public sealed class ControlException : Exception
{
    public ControlException(ControlError error, string message)
        : base(message) => Error = error;

    public ControlException(ControlError error, string message, Exception innerException)
        : base(message, innerException) => Error = error;

    public ControlException()
        : this(ControlError.Internal, "Control error.")
    {
    }

    public ControlException(string message)
        : this(ControlError.Internal, message)
    {
    }

    public ControlException(string message, Exception innerException)
        : this(ControlError.Internal, message, innerException)
    {
    }

    public ControlError Error { get; }
}

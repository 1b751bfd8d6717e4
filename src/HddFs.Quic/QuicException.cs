namespace HddFs.Quic;

/// <summary>A QUIC connection or stream failed. Thrown by every pending and later operation on it.</summary>
public sealed class QuicException : IOException
{
    public QuicException()
        : this(QuicError.InternalError, "QUIC operation failed.")
    {
    }

    public QuicException(string message)
        : this(QuicError.InternalError, message)
    {
    }

    public QuicException(string message, Exception innerException)
        : this(QuicError.InternalError, message, null, null, innerException)
    {
    }

    public QuicException(QuicError error, string message, long? applicationErrorCode = null, long? transportErrorCode = null,
        Exception? innerException = null)
        : base(message, innerException)
    {
        Error = error;
        ApplicationErrorCode = applicationErrorCode;
        TransportErrorCode = transportErrorCode;
    }

    public QuicError Error { get; }

    /// <summary>The application error code of CONNECTION_CLOSE, RESET_STREAM or STOP_SENDING, when there was one.</summary>
    public long? ApplicationErrorCode { get; }

    /// <summary>The QUIC transport error code (RFC 9000 §20.1; 0x100 + TLS alert for crypto errors), when there was one.</summary>
    public long? TransportErrorCode { get; }
}

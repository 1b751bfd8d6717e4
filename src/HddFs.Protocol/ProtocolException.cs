namespace HddFs.Protocol;

/// <summary>
/// The one exception the decoder throws for bytes that do not follow the protocol. A receiver fails
/// the stream the bytes came on (answering <see cref="ErrorCode.BadRequest"/> where it still can) and
/// keeps the connection. Transport failures (IOException, cancellation) are not wrapped in it.
/// </summary>
public sealed class ProtocolException : Exception
{
    public ProtocolException(ProtocolErrorKind kind, string message)
        : base(message) => Kind = kind;

    public ProtocolException(ProtocolErrorKind kind, string message, Exception innerException)
        : base(message, innerException) => Kind = kind;

    public ProtocolException()
        : this(ProtocolErrorKind.Malformed, "Protocol violation.")
    {
    }

    public ProtocolException(string message)
        : this(ProtocolErrorKind.Malformed, message)
    {
    }

    public ProtocolException(string message, Exception innerException)
        : this(ProtocolErrorKind.Malformed, message, innerException)
    {
    }

    public ProtocolErrorKind Kind { get; }
}

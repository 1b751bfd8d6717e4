using HddFs.Core;

namespace HddFs.Protocol;

/// <summary>
/// What a requester accepts as the first frame of an answer. Each method takes the message read
/// (null for end of stream) and returns the expected response, throws <see cref="RemoteShareException"/>
/// for an <see cref="ErrorResponse"/> from the peer, or <see cref="ProtocolException"/> for anything else.
/// Listings, which span many frames, are checked by <see cref="LsResponseSequence"/>.
/// </summary>
public static class Responses
{
    /// <summary>The peer's hello (the server's reply to ours, or the client's on an accepted connection).</summary>
    public static Hello ExpectHello(Message? message) => message switch
    {
        Hello hello => hello,
        ErrorResponse error => throw ErrorCodes.ToException(error),
        null => throw new ProtocolException(ProtocolErrorKind.Truncated, "The hello stream ended without a hello."),
        _ => throw new ProtocolException(ProtocolErrorKind.UnexpectedMessage, $"{message.Type} instead of a hello."),
    };

    /// <summary>The number of raw bytes that follow the header: at most what was asked for.</summary>
    public static ulong ExpectReadResponse(ReadRequest request, Message? message)
    {
        ArgumentNullException.ThrowIfNull(request);
        return message switch
        {
            ReadResponse response when response.Length <= request.Length => response.Length,
            ReadResponse response => throw new ProtocolException(
                ProtocolErrorKind.InvalidField,
                $"Read answer declares {response.Length} bytes for a request of {request.Length}."),
            ErrorResponse error => throw ErrorCodes.ToException(error),
            null => throw new ProtocolException(ProtocolErrorKind.Truncated, "The read stream ended without a response."),
            _ => throw new ProtocolException(ProtocolErrorKind.UnexpectedMessage, $"{message.Type} instead of a read response."),
        };
    }
}

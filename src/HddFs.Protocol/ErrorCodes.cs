using System.Globalization;
using System.Text;
using HddFs.Core;

namespace HddFs.Protocol;

/// <summary>
/// The one error map at the wire boundary: <see cref="ErrorCode"/> (on the wire) to and from
/// <see cref="RemoteError"/> (the seam every caller sees), plus what a responder sends for a failure
/// and what a requester throws for an <see cref="ErrorResponse"/> or for garbage.
/// </summary>
public static class ErrorCodes
{
    /// <summary>What a requester reports for a received code.</summary>
    public static RemoteError ToRemoteError(ErrorCode code) => code switch
    {
        ErrorCode.NotFound => RemoteError.NotFound,
        ErrorCode.NotAFile => RemoteError.NotAFile,
        ErrorCode.BadRange => RemoteError.BadRange,
        ErrorCode.TooLarge => RemoteError.TooLarge,
        ErrorCode.Forbidden => RemoteError.Forbidden,
        ErrorCode.Busy => RemoteError.Busy,
        ErrorCode.Internal => RemoteError.Internal,

        // The peer says we spoke the protocol wrongly: a protocol failure on our side of the seam.
        ErrorCode.UnsupportedVersion => RemoteError.Protocol,
        ErrorCode.BadRequest => RemoteError.Protocol,
        _ => RemoteError.Internal,
    };

    /// <summary>What a responder sends for a <see cref="RemoteError"/> raised while serving.</summary>
    public static ErrorCode FromRemoteError(RemoteError error) => error switch
    {
        RemoteError.NotFound => ErrorCode.NotFound,
        RemoteError.NotAFile => ErrorCode.NotAFile,
        RemoteError.BadRange => ErrorCode.BadRange,
        RemoteError.TooLarge => ErrorCode.TooLarge,
        RemoteError.Forbidden => ErrorCode.Forbidden,
        RemoteError.Busy => ErrorCode.Busy,
        RemoteError.Internal => ErrorCode.Internal,

        // Local-only errors reach a responder only when it depends on another peer (a relay):
        // unreachable or slow upstream means "try again later"; upstream garbage is our own failure.
        RemoteError.Unavailable => ErrorCode.Busy,
        RemoteError.Timeout => ErrorCode.Busy,
        RemoteError.Protocol => ErrorCode.Internal,
        _ => ErrorCode.Internal,
    };

    /// <summary>What a responder sends when the request itself could not be decoded.</summary>
    public static ErrorCode FromProtocolError(ProtocolErrorKind kind) => kind switch
    {
        ProtocolErrorKind.FrameTooLarge => ErrorCode.TooLarge,
        ProtocolErrorKind.UnsupportedVersion => ErrorCode.UnsupportedVersion,
        _ => ErrorCode.BadRequest,
    };

    /// <summary>
    /// The <see cref="ErrorResponse"/> a responder sends for a failure while serving a request.
    /// <see cref="RemoteShareException"/> and <see cref="ProtocolException"/> texts are ours and are
    /// sent; any other exception is reported as Internal without its text (it may hold local paths).
    /// </summary>
    public static ErrorResponse ToErrorResponse(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            RemoteShareException remote => new ErrorResponse(FromRemoteError(remote.Error), remote.Message),
            ProtocolException protocol => new ErrorResponse(FromProtocolError(protocol.Kind), protocol.Message),
            _ => new ErrorResponse(ErrorCode.Internal, "Internal error."),
        };
    }

    /// <summary>The exception a requester throws for a received <see cref="ErrorResponse"/>. The peer's text is
    /// kept but its control characters are replaced, so it cannot forge log lines or terminal output.</summary>
    public static RemoteShareException ToException(ErrorResponse error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new RemoteShareException(ToRemoteError(error.Code), $"Peer answered {error.Code}: {Sanitize(error.Message)}");
    }

    /// <summary>The exception a requester throws when a peer's bytes broke the protocol.</summary>
    public static RemoteShareException ToException(ProtocolException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return new RemoteShareException(RemoteError.Protocol, "Peer broke the protocol: " + exception.Message, exception);
    }

    /// <summary>Wire value to code; a value this version does not know is <see cref="ErrorCode.Internal"/>.</summary>
    internal static ErrorCode FromWire(ushort value)
        => value is >= (ushort)ErrorCode.NotFound and <= (ushort)ErrorCode.BadRequest ? (ErrorCode)value : ErrorCode.Internal;

    private static string Sanitize(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            var category = Rune.GetUnicodeCategory(rune);
            _ = category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
                ? builder.Append('?')
                : builder.Append(rune.ToString());
        }

        return builder.ToString();
    }
}

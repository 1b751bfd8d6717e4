using System.Text;
using HddFs.Protocol.Wire;

namespace HddFs.Protocol;

/// <summary>
/// A request failed (or, on the hello stream, the connection is refused). The responder sends it in
/// place of the response and then finishes the stream. <paramref name="Message"/> is for humans:
/// encoding keeps at most <see cref="MaxMessageBytes"/> bytes of UTF-8, cut on a character boundary,
/// with invalid UTF-16 replaced by U+FFFD; decoding is strict.
/// </summary>
public sealed record ErrorResponse(ErrorCode Code, string Message) : Message
{
    public const int MaxMessageBytes = 512;

    public override MessageType Type => MessageType.ErrorResponse;

    internal override int MeasureBody()
    {
        ArgumentNullException.ThrowIfNull(Message, nameof(Message));
        if (!Enum.IsDefined(Code))
        {
            throw new ArgumentException($"Error code {(int)Code} is not defined in this protocol version.");
        }

        return 1 + 2 + BodyWriter.PrefixedLength(TruncatedLength(Message));
    }

    internal override void WriteFields(ref BodyWriter writer)
    {
        writer.WriteUInt16((ushort)Code);
        var length = TruncatedLength(Message);
        writer.WriteVarUInt64((ulong)length);
        Span<byte> scratch = stackalloc byte[4];
        var written = 0;
        foreach (var rune in Message.EnumerateRunes())
        {
            var n = rune.EncodeToUtf8(scratch);
            if (written + n > length)
            {
                break;
            }

            writer.WriteBytes(scratch[..n]);
            written += n;
        }
    }

    internal static ErrorResponse Decode(ref BodyReader reader)
    {
        var code = ErrorCodes.FromWire(reader.ReadUInt16("code"));
        var message = reader.ReadUtf8(MaxMessageBytes, "message");
        reader.ExpectEnd();
        return new ErrorResponse(code, message);
    }

    /// <summary>UTF-8 bytes of the longest whole-character prefix of <paramref name="text"/> within the limit.</summary>
    private static int TruncatedLength(string text)
    {
        var length = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            // EnumerateRunes yields U+FFFD (3 bytes) for a lone surrogate, as the writer encodes it.
            if (length + rune.Utf8SequenceLength > MaxMessageBytes)
            {
                break;
            }

            length += rune.Utf8SequenceLength;
        }

        return length;
    }
}

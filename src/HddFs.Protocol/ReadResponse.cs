using HddFs.Protocol.Wire;

namespace HddFs.Protocol;

/// <summary>
/// The header of a successful read: exactly <paramref name="Length"/> raw bytes follow it unframed on
/// the stream, then the responder finishes the stream. Length may be below the requested length only
/// at end of file, never above it (checked by <see cref="Responses.ExpectReadResponse"/>); an error is
/// sent as an <see cref="ErrorResponse"/> frame instead of this header, never inside the data.
/// </summary>
public sealed record ReadResponse(ulong Length) : Message
{
    public override MessageType Type => MessageType.ReadResponse;

    internal override int MeasureBody()
        => Length <= long.MaxValue ? 1 + 1 + 8 : throw new ArgumentException($"Read length {Length} exceeds {long.MaxValue}.");

    internal override void WriteFields(ref BodyWriter writer)
    {
        writer.WriteByte(0); // flags: none defined in version 1
        writer.WriteUInt64(Length);
    }

    internal static ReadResponse Decode(ref BodyReader reader)
    {
        var flags = reader.ReadByte("flags");
        if (flags != 0)
        {
            throw reader.Invalid($"has reserved flag bits set (0x{flags:x2}).");
        }

        var length = reader.ReadUInt64("length");
        reader.ExpectEnd();
        return length <= long.MaxValue ? new ReadResponse(length) : throw reader.Invalid("length exceeds 2^63 - 1.");
    }
}

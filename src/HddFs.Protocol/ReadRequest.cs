using HddFs.Core;
using HddFs.Protocol.Wire;

namespace HddFs.Protocol;

/// <summary>
/// Asks for bytes [Offset, Offset + Length) of a file. Answered by a <see cref="ReadResponse"/>
/// header followed by exactly its Length raw bytes, or by an <see cref="ErrorResponse"/>.
/// Invariant (checked both ways): Offset + Length ≤ <see cref="long.MaxValue"/>, so both fit the
/// <c>long</c> offsets of streams and <see cref="IRemoteShares"/>.
/// </summary>
public sealed record ReadRequest(SharePath Path, ulong Offset, ulong Length) : Message
{
    public override MessageType Type => MessageType.ReadRequest;

    internal override int MeasureBody()
    {
        if (!IsRangeValid(Offset, Length))
        {
            throw new ArgumentException($"Read range {Offset}+{Length} exceeds {long.MaxValue}.");
        }

        return 2 + BodyWriter.PrefixedLength(Utf8Text.StrictByteCount(Path.Value, nameof(Path))) + 8 + 8;
    }

    internal override void WriteFields(ref BodyWriter writer)
    {
        writer.WriteByte(0); // flags: none defined in version 1
        writer.WritePath(Path, Utf8Text.Strict.GetByteCount(Path.Value));
        writer.WriteUInt64(Offset);
        writer.WriteUInt64(Length);
    }

    internal static ReadRequest Decode(ref BodyReader reader)
    {
        var flags = reader.ReadByte("flags");
        if (flags != 0)
        {
            throw reader.Invalid($"has reserved flag bits set (0x{flags:x2}).");
        }

        var path = reader.ReadPath("path");
        var offset = reader.ReadUInt64("offset");
        var length = reader.ReadUInt64("length");
        reader.ExpectEnd();
        return IsRangeValid(offset, length)
            ? new ReadRequest(path, offset, length)
            : throw reader.Invalid("range exceeds 2^63 - 1.");
    }

    private static bool IsRangeValid(ulong offset, ulong length)
        => offset <= long.MaxValue && length <= long.MaxValue - offset;
}

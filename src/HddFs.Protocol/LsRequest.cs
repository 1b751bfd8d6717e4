using HddFs.Core;
using HddFs.Protocol.Wire;

namespace HddFs.Protocol;

/// <summary>
/// Asks for a listing of <paramref name="Path"/> (the root lists the shares). Answered by zero or more
/// <see cref="LsPage"/> then one <see cref="LsEnd"/>, or by an <see cref="ErrorResponse"/>.
/// </summary>
/// <param name="Search">Case-insensitive name filter, at most <see cref="LsQuery.MaxSearchBytes"/> bytes of UTF-8; null for none.</param>
/// <param name="Recursive">The whole subtree rather than direct children.</param>
public sealed record LsRequest(SharePath Path, string? Search, bool Recursive) : Message
{
    internal const byte RecursiveFlag = 0x01;
    internal const byte SearchFlag = 0x02;
    private const byte KnownFlags = RecursiveFlag | SearchFlag;

    public override MessageType Type => MessageType.LsRequest;

    public static LsRequest FromQuery(LsQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        return new LsRequest(query.Path, query.Search, query.Recursive);
    }

    public LsQuery ToQuery() => new(Path, Search, Recursive);

    internal override int MeasureBody()
    {
        var length = 2 + BodyWriter.PrefixedLength(Utf8Text.StrictByteCount(Path.Value, nameof(Path)));
        if (Search is not null)
        {
            var searchBytes = Utf8Text.StrictByteCount(Search, nameof(Search));
            if (searchBytes > LsQuery.MaxSearchBytes)
            {
                throw new ArgumentException($"Search term is {searchBytes} bytes, above {LsQuery.MaxSearchBytes}.", nameof(Search));
            }

            length += BodyWriter.PrefixedLength(searchBytes);
        }

        return length;
    }

    internal override void WriteFields(ref BodyWriter writer)
    {
        writer.WriteByte((byte)((Recursive ? RecursiveFlag : 0) | (Search is null ? 0 : SearchFlag)));
        writer.WritePath(Path, Utf8Text.Strict.GetByteCount(Path.Value));
        if (Search is not null)
        {
            writer.WriteUtf8(Search, Utf8Text.Strict.GetByteCount(Search));
        }
    }

    internal static LsRequest Decode(ref BodyReader reader)
    {
        var flags = reader.ReadByte("flags");
        if ((flags & ~KnownFlags) != 0)
        {
            throw reader.Invalid($"has reserved flag bits set (0x{flags:x2}).");
        }

        var path = reader.ReadPath("path");
        var search = (flags & SearchFlag) != 0 ? reader.ReadUtf8(LsQuery.MaxSearchBytes, "search") : null;
        reader.ExpectEnd();
        return new LsRequest(path, search, (flags & RecursiveFlag) != 0);
    }
}

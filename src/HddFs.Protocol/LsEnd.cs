using HddFs.Protocol.Wire;

namespace HddFs.Protocol;

/// <summary>
/// The last frame of a successful listing: how many entries the pages carried in total. A listing
/// that ends without it, or whose count disagrees, was cut short (see <see cref="LsResponseSequence"/>).
/// </summary>
public sealed record LsEnd(ulong TotalEntries) : Message
{
    public override MessageType Type => MessageType.LsEnd;

    internal override int MeasureBody() => 1 + 8;

    internal override void WriteFields(ref BodyWriter writer) => writer.WriteUInt64(TotalEntries);

    internal static LsEnd Decode(ref BodyReader reader)
    {
        var total = reader.ReadUInt64("total entries");
        reader.ExpectEnd();
        return new LsEnd(total);
    }
}

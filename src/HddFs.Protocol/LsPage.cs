using HddFs.Core;
using HddFs.Protocol.Wire;

namespace HddFs.Protocol;

/// <summary>
/// One page of a listing: at most <see cref="MaxEntries"/> entries and at most
/// <see cref="FrameLimits.MaxLsPageBody"/> bytes of body. <see cref="Split"/> cuts any entry
/// sequence into pages that respect both limits.
/// </summary>
public sealed record LsPage(IReadOnlyList<RemoteEntry> Entries) : Message
{
    public const int MaxEntries = 256;

    internal const byte DirectoryFlag = 0x01;

    // flags u8 + size varint (≥ 1) + mtime i64 + path length varint (≥ 1): the smallest entry.
    private const int MinEntryLength = 1 + 1 + 8 + 1;

    // type u8 + entry count varint (≤ 2 bytes for ≤ 256 entries): the most a page spends besides entries.
    private const int MaxPageOverhead = 1 + 2;

    public override MessageType Type => MessageType.LsPage;

    public bool Equals(LsPage? other) => other is not null && Entries.SequenceEqual(other.Entries);

    public override int GetHashCode() => Entries.Count;

    /// <summary>Bytes <paramref name="entry"/> takes inside a page. Throws ArgumentException for an
    /// entry the protocol cannot carry (negative size, a path that is not valid Unicode).</summary>
    public static int EncodedLength(RemoteEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentOutOfRangeException.ThrowIfNegative(entry.Size, nameof(entry));
        var pathBytes = Utf8Text.StrictByteCount(entry.Path.Value, nameof(entry));
        return 1 + Varint.Length((ulong)entry.Size) + 8 + BodyWriter.PrefixedLength(pathBytes);
    }

    /// <summary>Cuts <paramref name="entries"/> into pages, in order, each within both limits. An
    /// empty input gives no pages (the listing is then just an <see cref="LsEnd"/> of 0).</summary>
    public static IReadOnlyList<LsPage> Split(IEnumerable<RemoteEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var pages = new List<LsPage>();
        var current = new List<RemoteEntry>();
        var bytes = MaxPageOverhead;
        foreach (var entry in entries)
        {
            var length = EncodedLength(entry);
            if (current.Count == MaxEntries || bytes + length > FrameLimits.MaxLsPageBody)
            {
                pages.Add(new LsPage(current));
                current = [];
                bytes = MaxPageOverhead;
            }

            current.Add(entry);
            bytes += length;
        }

        if (current.Count > 0)
        {
            pages.Add(new LsPage(current));
        }

        return pages;
    }

    internal override int MeasureBody()
    {
        ArgumentNullException.ThrowIfNull(Entries, nameof(Entries));
        if (Entries.Count > MaxEntries)
        {
            throw new ArgumentException($"A page holds at most {MaxEntries} entries, got {Entries.Count}; use LsPage.Split.");
        }

        // Indexed loops: no boxed enumerator, so encoding a page allocates nothing.
        var length = 1 + Varint.Length((ulong)Entries.Count);
        for (var i = 0; i < Entries.Count; i++)
        {
            length += EncodedLength(Entries[i]);
        }

        return length;
    }

    internal override void WriteFields(ref BodyWriter writer)
    {
        writer.WriteVarUInt64((ulong)Entries.Count);
        for (var i = 0; i < Entries.Count; i++)
        {
            var entry = Entries[i];
            writer.WriteByte(entry.IsDirectory ? DirectoryFlag : (byte)0);
            writer.WriteVarUInt64((ulong)entry.Size);
            writer.WriteInt64(entry.ModifiedUnixMs);
            writer.WritePath(entry.Path, Utf8Text.Strict.GetByteCount(entry.Path.Value));
        }
    }

    internal static LsPage Decode(ref BodyReader reader)
    {
        var count = reader.ReadVarUInt64("entry count");
        if (count > MaxEntries)
        {
            throw reader.Invalid($"declares {count} entries, above the limit of {MaxEntries}.");
        }

        // Checked before the list is allocated: the declared count must fit in the bytes present.
        if ((int)count * MinEntryLength > reader.Remaining)
        {
            throw reader.Malformed($"declares {count} entries but has only {reader.Remaining} bytes.");
        }

        var entries = new RemoteEntry[(int)count];
        for (var i = 0; i < entries.Length; i++)
        {
            var flags = reader.ReadByte("entry flags");
            if ((flags & ~DirectoryFlag) != 0)
            {
                throw reader.Invalid($"entry {i} has reserved flag bits set (0x{flags:x2}).");
            }

            var size = reader.ReadVarUInt64("entry size");
            if (size > long.MaxValue)
            {
                throw reader.Invalid($"entry {i} size exceeds 2^63 - 1.");
            }

            var modified = reader.ReadInt64("entry mtime");
            var path = reader.ReadPath("entry path");
            entries[i] = new RemoteEntry(path, (long)size, (flags & DirectoryFlag) != 0, modified);
        }

        reader.ExpectEnd();
        return new LsPage(entries);
    }
}

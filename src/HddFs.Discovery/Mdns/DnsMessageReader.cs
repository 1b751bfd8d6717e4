using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace HddFs.Discovery.Mdns;

/// <summary>
/// Strict, bounded DNS message parser for packets from the network (hostile by assumption).
/// Invariants that make it total: every read is bounds-checked; a compression pointer must point
/// strictly before the pointer itself, so following pointers always moves backwards and terminates;
/// names are capped at 255 bytes and 128 labels; at most <see cref="MaxRecords"/> entries in all
/// sections; RDATA of known types must fill its RDLENGTH exactly.
/// (Pointer rule precisely: a pointer must point below the start of the segment it ends — the name's
/// first byte, or the previous pointer's target — so the segment starts strictly decrease. Pointing
/// merely below the pointer itself is not enough: jump back, read forward, meet the same pointer.) Anything else is a
/// <see cref="DnsFormatException"/> — the only exception it throws.
/// </summary>
internal static class DnsMessageReader
{
    /// <summary>RFC 6762 §17: mDNS messages are at most 9000 bytes.</summary>
    public const int MaxMessageLength = 9000;

    public const int MaxRecords = 256;

    private const int HeaderLength = 12;

    public static DnsMessage Parse(ReadOnlySpan<byte> message)
    {
        if (message.Length < HeaderLength)
        {
            throw new DnsFormatException("shorter than a DNS header");
        }

        if (message.Length > MaxMessageLength)
        {
            throw new DnsFormatException("longer than an mDNS message may be");
        }

        var id = BinaryPrimitives.ReadUInt16BigEndian(message);
        var flags = BinaryPrimitives.ReadUInt16BigEndian(message[2..]);
        int qd = BinaryPrimitives.ReadUInt16BigEndian(message[4..]);
        int an = BinaryPrimitives.ReadUInt16BigEndian(message[6..]);
        int ns = BinaryPrimitives.ReadUInt16BigEndian(message[8..]);
        int ar = BinaryPrimitives.ReadUInt16BigEndian(message[10..]);
        if (qd + an + ns + ar > MaxRecords)
        {
            throw new DnsFormatException($"more than {MaxRecords} entries");
        }

        var offset = HeaderLength;
        var questions = new List<DnsQuestion>(qd);
        for (var i = 0; i < qd; i++)
        {
            var name = ReadName(message, ref offset);
            var type = ReadUInt16(message, ref offset);
            var cls = ReadUInt16(message, ref offset);
            questions.Add(new DnsQuestion(name, (DnsType)type, (cls & 0x8000) != 0, (ushort)(cls & 0x7FFF)));
        }

        var answers = ReadRecords(message, ref offset, an);
        var authorities = ReadRecords(message, ref offset, ns);
        var additionals = ReadRecords(message, ref offset, ar);
        if (offset != message.Length)
        {
            throw new DnsFormatException("trailing bytes after the last record");
        }

        return new DnsMessage(id, flags, questions, answers, authorities, additionals);
    }

    private static List<DnsRecord> ReadRecords(ReadOnlySpan<byte> message, ref int offset, int count)
    {
        var records = new List<DnsRecord>(count);
        for (var i = 0; i < count; i++)
        {
            var name = ReadName(message, ref offset);
            var type = (DnsType)ReadUInt16(message, ref offset);
            var cls = ReadUInt16(message, ref offset);
            var ttl = ReadUInt32(message, ref offset);
            var length = ReadUInt16(message, ref offset);
            if (length > message.Length - offset)
            {
                throw new DnsFormatException("RDATA runs past the end");
            }

            var end = offset + length;
            var data = ReadData(message, offset, end, type);
            offset = end;
            records.Add(new DnsRecord(name, type, ttl, data, (cls & 0x8000) != 0, (ushort)(cls & 0x7FFF)));
        }

        return records;
    }

    private static DnsRecordData ReadData(ReadOnlySpan<byte> message, int start, int end, DnsType type)
    {
        var rdata = message[start..end];
        switch (type)
        {
            case DnsType.A:
                return rdata.Length == 4 ? new DnsAddressData(new IPAddress(rdata)) : throw new DnsFormatException("A RDATA is not 4 bytes");
            case DnsType.Aaaa:
                return rdata.Length == 16 ? new DnsAddressData(new IPAddress(rdata)) : throw new DnsFormatException("AAAA RDATA is not 16 bytes");
            case DnsType.Ptr:
                {
                    var at = start;
                    var target = ReadName(message, ref at);
                    return at == end ? new DnsPtrData(target) : throw new DnsFormatException("PTR RDATA length mismatch");
                }

            case DnsType.Srv:
                {
                    if (rdata.Length < 7)
                    {
                        throw new DnsFormatException("SRV RDATA too short");
                    }

                    var at = start + 6;
                    var target = ReadName(message, ref at);
                    if (at != end)
                    {
                        throw new DnsFormatException("SRV RDATA length mismatch");
                    }

                    return new DnsSrvData(
                        BinaryPrimitives.ReadUInt16BigEndian(rdata),
                        BinaryPrimitives.ReadUInt16BigEndian(rdata[2..]),
                        BinaryPrimitives.ReadUInt16BigEndian(rdata[4..]),
                        target);
                }

            case DnsType.Txt:
                {
                    var strings = new List<byte[]>();
                    var rest = rdata;
                    while (!rest.IsEmpty)
                    {
                        var length = rest[0];
                        if (length + 1 > rest.Length)
                        {
                            throw new DnsFormatException("TXT string runs past its RDATA");
                        }

                        strings.Add(rest.Slice(1, length).ToArray());
                        rest = rest[(1 + length)..];
                    }

                    return new DnsTxtData(strings);
                }

            default:
                return new DnsOpaqueData(rdata.ToArray());
        }
    }

    /// <summary>Reads a possibly compressed name at <paramref name="offset"/>, advancing past it.</summary>
    internal static DnsName ReadName(ReadOnlySpan<byte> message, ref int offset)
    {
        var labels = new List<string>();
        var wireLength = 1;
        var position = offset;
        var resumeAt = -1; // where the caller continues: after the first pointer, if any
        var segmentStart = offset; // pointers must land strictly below this; it only decreases
        var jumps = 0;
        while (true)
        {
            if (position >= message.Length)
            {
                throw new DnsFormatException("name runs past the end");
            }

            var length = message[position];
            switch (length & 0xC0)
            {
                case 0x00:
                    if (length == 0)
                    {
                        offset = resumeAt >= 0 ? resumeAt : position + 1;
                        try
                        {
                            return new DnsName(labels);
                        }
                        catch (ArgumentException ex)
                        {
                            throw new DnsFormatException(ex.Message);
                        }
                    }

                    if (position + 1 + length > message.Length)
                    {
                        throw new DnsFormatException("label runs past the end");
                    }

                    wireLength += 1 + length;
                    if (wireLength > DnsName.MaxWireLength)
                    {
                        throw new DnsFormatException("name longer than 255 bytes");
                    }

                    labels.Add(Encoding.UTF8.GetString(message.Slice(position + 1, length)));
                    position += 1 + length;
                    break;

                case 0xC0:
                    if (position + 1 >= message.Length)
                    {
                        throw new DnsFormatException("truncated compression pointer");
                    }

                    var target = ((length & 0x3F) << 8) | message[position + 1];
                    if (target >= segmentStart || ++jumps > 127)
                    {
                        // Only strictly decreasing segment starts: this is what rules out loops.
                        throw new DnsFormatException("compression pointer does not point backwards");
                    }

                    segmentStart = target;

                    if (resumeAt < 0)
                    {
                        resumeAt = position + 2;
                    }

                    position = target;
                    break;

                default:
                    throw new DnsFormatException("reserved label type");
            }
        }
    }

    private static ushort ReadUInt16(ReadOnlySpan<byte> message, ref int offset)
    {
        if (offset + 2 > message.Length)
        {
            throw new DnsFormatException("truncated");
        }

        var value = BinaryPrimitives.ReadUInt16BigEndian(message[offset..]);
        offset += 2;
        return value;
    }

    private static uint ReadUInt32(ReadOnlySpan<byte> message, ref int offset)
    {
        if (offset + 4 > message.Length)
        {
            throw new DnsFormatException("truncated");
        }

        var value = BinaryPrimitives.ReadUInt32BigEndian(message[offset..]);
        offset += 4;
        return value;
    }
}

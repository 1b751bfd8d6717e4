using System.Text;

namespace HddFs.Quic.Tests;

/// <summary>
/// Just enough HTTP/3 (RFC 9114) to exchange one request with ngtcp2's example programs, which speak only "h3":
/// frames are (varint type, varint length, payload); header blocks use QPACK (RFC 9204) with the static table
/// only (we announce no dynamic table, so the peer may not use one either).
/// </summary>
public static class Http3
{
    public const string Alpn = "h3";

    private const long FrameData = 0x00;
    private const long FrameHeaders = 0x01;

    /// <summary>Control stream preamble: stream type 0x00, then an empty SETTINGS frame.</summary>
    public static byte[] ControlStreamPreamble => [0x00, 0x04, 0x00];

    public static byte[] GetRequest(string authority, string path)
    {
        var block = new List<byte> { 0x00, 0x00 }; // required insert count 0, base 0
        block.Add(0xC0 | 17); // :method GET (static 17)
        block.Add(0xC0 | 23); // :scheme https (static 23)
        LiteralWithStaticName(block, 0, authority); // :authority
        LiteralWithStaticName(block, 1, path); // :path
        return Frame(FrameHeaders, [.. block]);
    }

    /// <summary>HEADERS(:status 200) then one DATA frame.</summary>
    public static byte[] OkResponse(ReadOnlySpan<byte> body)
    {
        byte[] headers = [0x00, 0x00, 0xC0 | 25]; // :status 200 (static 25)
        return [.. Frame(FrameHeaders, headers), .. Frame(FrameData, body)];
    }

    /// <summary>Parses a response: the :status from the first header block and the concatenated DATA payloads.</summary>
    public static (int Status, byte[] Body) ParseResponse(byte[] stream)
    {
        var status = -1;
        var body = new MemoryStream();
        var offset = 0;
        while (offset < stream.Length)
        {
            var type = ReadVarint(stream, ref offset);
            var length = (int)ReadVarint(stream, ref offset);
            var payload = stream.AsSpan(offset, length);
            offset += length;
            if (type == FrameHeaders && status < 0)
            {
                status = ParseStatus(payload);
            }
            else if (type == FrameData)
            {
                body.Write(payload);
            }
        }

        return (status, body.ToArray());
    }

    /// <summary>The frame types in a request stream (to check that a request arrived whole).</summary>
    public static List<long> FrameTypes(byte[] stream)
    {
        var types = new List<long>();
        var offset = 0;
        while (offset < stream.Length)
        {
            types.Add(ReadVarint(stream, ref offset));
            var length = (int)ReadVarint(stream, ref offset);
            offset += length;
        }

        return types;
    }

    private static int ParseStatus(ReadOnlySpan<byte> block)
    {
        // prefix: required insert count and delta base, both 0 without a dynamic table
        var field = block[2];
        if ((field & 0xC0) == 0xC0)
        {
            return (field & 0x3F) switch
            {
                24 => 103,
                25 => 200,
                26 => 304,
                27 => 404,
                28 => 503,
                _ => 0,
            };
        }

        if ((field & 0xF0) == 0x50 && (field & 0x0F) is >= 24 and <= 28)
        {
            // literal with the :status name, value as plain (not Huffman) text
            var length = block[3] & 0x7F;
            return int.Parse(Encoding.ASCII.GetString(block.Slice(4, length)));
        }

        return 0;
    }

    private static void LiteralWithStaticName(List<byte> block, int index, string value)
    {
        block.Add((byte)(0x50 | index)); // 01 N=0 T=1 index(4 bits)
        var bytes = Encoding.ASCII.GetBytes(value);
        if (bytes.Length >= 127)
        {
            throw new ArgumentException("value too long for this tiny encoder");
        }

        block.Add((byte)bytes.Length); // H=0, length (7 bits)
        block.AddRange(bytes);
    }

    private static byte[] Frame(long type, ReadOnlySpan<byte> payload)
        => [.. Varint(type), .. Varint(payload.Length), .. payload];

    private static byte[] Varint(long v) => v switch
    {
        < 64 => [(byte)v],
        < 16384 => [(byte)(0x40 | (v >> 8)), (byte)v],
        < 1073741824 => [(byte)(0x80 | (v >> 24)), (byte)(v >> 16), (byte)(v >> 8), (byte)v],
        _ => throw new ArgumentOutOfRangeException(nameof(v)),
    };

    private static long ReadVarint(byte[] b, ref int offset)
    {
        var length = 1 << (b[offset] >> 6);
        long v = b[offset] & 0x3F;
        for (var i = 1; i < length; i++)
        {
            v = (v << 8) | b[offset + i];
        }

        offset += length;
        return v;
    }
}

using System.Net;
using HddFs.Core;

namespace HddFs.Protocol.Tests;

/// <summary>
/// Exact bytes both ways for every message. The hex was written by hand from docs/protocol.md (field
/// by field, in the order of its tables), never captured from the encoder.
/// </summary>
public sealed class GoldenBytesTests
{
    private static readonly PeerId AnnouncedPeer = new(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
    private const string AnnouncedPeerHex = "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20";

    /// <summary>Vectors that hold in both directions: decode(hex) == message and encode(message) == hex.</summary>
    public static TheoryData<string, string, Message> BothWays => new()
    {
        // Hello: type, u16 version, u16 min version, flags, count, proofs.
        { "hello, v1, no proofs", "00 00 00 07  01 00 01 00 01 00 00", new Hello(1, 1, []) },
        {
            "hello, v1..3, two proofs",
            "00 00 00 47  01 00 03 00 01 00 02"
                + "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f" + Hex.Repeat("ff", 32),
            new Hello(3, 1, [Proof(i => (byte)i), Proof(_ => 0xff)])
        },

        // LsRequest: type, flags (bit0 recursive, bit1 search), path, [search].
        { "ls root", "00 00 00 03  10 00 00", new LsRequest(SharePath.Root, null, false) },
        { "ls Music recursive", "00 00 00 08  10 01 05 4d 75 73 69 63", new LsRequest(Path("Music"), null, true) },
        {
            "ls non-ASCII path with search",
            "00 00 00 12  10 02 0b 4d 75 73 69 63 2f c3 9c 6e c3 af 03 6d 70 33",
            new LsRequest(Path("Music/Ünï"), "mp3", false)
        },
        { "ls root recursive, empty search", "00 00 00 04  10 03 00 00", new LsRequest(SharePath.Root, "", true) },
        {
            "ls 200-byte path (two-byte varint length)",
            "00 00 00 cc  10 00 c8 01" + Hex.Repeat("78", 200),
            new LsRequest(Path(new string('x', 200)), null, false)
        },

        // LsPage: type, varint count, entries of [flags][varint size][i64 mtime][path].
        { "empty page", "00 00 00 02  11 00", new LsPage([]) },
        {
            "page with one file",
            "00 00 00 10  11 01  00 05 00 00 00 00 00 00 03 e8 03 61 2f 62",
            new LsPage([new RemoteEntry(Path("a/b"), 5, false, 1000)])
        },
        {
            "page with a directory and a file",
            "00 00 00 1e  11 02"
                + "01 ac 02 ff ff ff ff ff ff ff ff 01 64"
                + "00 00 01 02 03 04 05 06 07 08 04 64 2f c3 a9",
            new LsPage(
            [
                new RemoteEntry(Path("d"), 300, true, -1),
                new RemoteEntry(Path("d/é"), 0, false, 0x0102030405060708),
            ])
        },
        {
            "page entry of the largest size (nine-byte varint)",
            "00 00 00 16  11 01  00 ff ff ff ff ff ff ff ff 7f 00 00 00 00 00 00 00 00 01 61",
            new LsPage([new RemoteEntry(Path("a"), long.MaxValue, false, 0)])
        },

        // LsEnd: type, u64 total.
        { "end of empty listing", "00 00 00 09  12 00 00 00 00 00 00 00 00", new LsEnd(0) },
        { "end with big total", "00 00 00 09  12 01 02 03 04 05 06 07 08", new LsEnd(0x0102030405060708) },

        // ReadRequest: type, flags, path, u64 offset, u64 length.
        {
            "read a",
            "00 00 00 14  20 00 01 61 00 00 00 00 00 00 01 02 00 00 00 00 00 00 00 10",
            new ReadRequest(Path("a"), 0x0102, 0x10)
        },
        {
            "read whole file",
            "00 00 00 1a  20 00 07 6d 2f 76 2e 6d 6b 76 00 00 00 00 00 00 00 00 7f ff ff ff ff ff ff ff",
            new ReadRequest(Path("m/v.mkv"), 0, long.MaxValue)
        },

        // ReadResponse: type, flags, u64 length.
        { "read response, end of file", "00 00 00 0a  21 00 00 00 00 00 00 00 00 00", new ReadResponse(0) },
        { "read response, 1 MiB", "00 00 00 0a  21 00 00 00 00 00 00 10 00 00", new ReadResponse(1024 * 1024) },

        // ErrorResponse: type, u16 code, message.
        {
            "not found",
            "00 00 00 10  02 00 01 0c 6e 6f 20 73 75 63 68 20 66 69 6c 65",
            new ErrorResponse(ErrorCode.NotFound, "no such file")
        },
        { "bad request, empty text", "00 00 00 04  02 00 09 00", new ErrorResponse(ErrorCode.BadRequest, "") },

        // Announce: type, flags, peer, nat, i64 timestamp, count, [family][address][port].
        {
            "announce with two addresses",
            "00 00 00 46  30 00" + AnnouncedPeerHex + "02 00 00 01 8b cf e5 68 00 02"
                + "04 c0 a8 01 02 11 51"
                + "06 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01 01 bb",
            new Announce(
                AnnouncedPeer,
                [new IPEndPoint(IPAddress.Parse("192.168.1.2"), 4433), new IPEndPoint(IPAddress.Parse("2001:db8::1"), 443)],
                2,
                1_700_000_000_000)
        },
        {
            "announce without addresses",
            "00 00 00 2c  30 00" + AnnouncedPeerHex + "00 ff ff ff ff ff ff ff ff 00",
            new Announce(AnnouncedPeer, [], 0, -1)
        },
    };

    /// <summary>Bytes that decode to a message whose own encoding differs (receivers are lenient here by design).</summary>
    public static TheoryData<string, string, Message> DecodeOnly => new()
    {
        { "hello ignores unknown flags and extension bytes", "00 00 00 0a  01 00 01 00 01 80 00 aa bb cc", new Hello(1, 1, []) },
        { "unknown error code reads as Internal", "00 00 00 05  02 12 34 01 78", new ErrorResponse(ErrorCode.Internal, "x") },
        { "error code 0 reads as Internal", "00 00 00 04  02 00 00 00", new ErrorResponse(ErrorCode.Internal, "") },
    };

    /// <summary>Messages whose encoding normalizes them (encoder side only).</summary>
    public static TheoryData<string, Message, string> EncodeOnly => new()
    {
        {
            "error text cut to 512 bytes",
            new ErrorResponse(ErrorCode.Internal, new string('a', 600)),
            "00 00 02 05  02 00 07 80 04" + Hex.Repeat("61", 512)
        },
        {
            "error text cut before a character that would cross 512 bytes",
            new ErrorResponse(ErrorCode.Internal, new string('a', 511) + "é"),
            "00 00 02 04  02 00 07 ff 03" + Hex.Repeat("61", 511)
        },
        {
            "lone surrogate in error text becomes U+FFFD",
            new ErrorResponse(ErrorCode.Internal, "a\ud800b"),
            "00 00 00 09  02 00 07 05 61 ef bf bd 62"
        },
    };

    [Theory]
    [MemberData(nameof(BothWays))]
    public void Decode_GoldenBytes_GivesExactMessage(string name, string hex, Message expected)
    {
        var decoded = Codec.DecodeWhole(Hex.Bytes(hex));
        Assert.True(expected.Equals(decoded), $"{name}: decoded {decoded}");
    }

    [Theory]
    [MemberData(nameof(BothWays))]
    public void Encode_GoldenMessage_GivesExactBytes(string name, string hex, Message message)
    {
        var expected = Hex.Bytes(hex);
        Assert.True(Hex.Of(expected) == Hex.Of(FrameWriter.ToArray(message)), name);
        Assert.Equal(expected.Length, FrameWriter.GetFrameLength(message));
    }

    [Theory]
    [MemberData(nameof(DecodeOnly))]
    public void Decode_LenientGoldenBytes_GivesExactMessage(string name, string hex, Message expected)
    {
        var decoded = Codec.DecodeWhole(Hex.Bytes(hex));
        Assert.True(expected.Equals(decoded), $"{name}: decoded {decoded}");
    }

    [Theory]
    [MemberData(nameof(EncodeOnly))]
    public void Encode_NormalizedMessage_GivesExactBytes(string name, Message message, string hex)
        => Assert.True(Hex.Of(Hex.Bytes(hex)) == Hex.Of(FrameWriter.ToArray(message)), name);

    [Fact]
    public void AnnounceBytesToSign_GoldenAnnounce_AreContextThenFrame()
    {
        var announce = new Announce(AnnouncedPeer, [], 0, -1);
        var expected = Hex.Bytes("68 64 64 66 73 2d 61 6e 6e 6f 75 6e 63 65 2d 76 31" // "hddfs-announce-v1"
            + "00 00 00 2c  30 00" + AnnouncedPeerHex + "00 ff ff ff ff ff ff ff ff 00");
        Assert.Equal(Hex.Of(expected), Hex.Of(announce.GetBytesToSign()));
    }

    [Fact]
    public void TopicProof_KnownAnswer_MatchesIndependentHmac()
    {
        // Computed with Python's hmac module: HMAC-SHA256(0x0b * 32, b"hddfs-hello-v1" + role + self + other).
        var key = Enumerable.Repeat((byte)0x0b, 32).ToArray();
        var self = new PeerId(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
        var other = new PeerId(Enumerable.Range(0x40, 32).Select(i => (byte)i).ToArray());

        Assert.Equal(
            "f2b9b7fafc7683ec855c1f47be6af549b010079ab3b9e3262e3ade38db3a4c6a",
            TopicProof.Compute(key, HelloRole.Client, self, other).ToString());
        Assert.Equal(
            "11d3066a22835072efaef29a08fb6dc2870174f0063b2b924cc8bc811bf02de8",
            TopicProof.Compute(key, HelloRole.Server, self, other).ToString());
    }

    private static SharePath Path(string text) => SharePath.Parse(text);

    private static TopicProof Proof(Func<int, byte> at) => new(Enumerable.Range(0, 32).Select(at).ToArray());
}

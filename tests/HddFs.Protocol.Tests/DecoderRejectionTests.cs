namespace HddFs.Protocol.Tests;

/// <summary>Hand-made garbage, each with the one <see cref="ProtocolErrorKind"/> the spec gives it.</summary>
public sealed class DecoderRejectionTests
{
    private const string Zero8 = "00 00 00 00 00 00 00 00";
    private const string Peer = "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20";

    public static TheoryData<string, string, ProtocolErrorKind> Garbage => new()
    {
        // Header: judged on the first 4 or 5 bytes, before any body byte is present.
        { "zero length", "00 00 00 00", ProtocolErrorKind.Malformed },
        { "length above every limit", "00 04 00 01", ProtocolErrorKind.FrameTooLarge },
        { "length 4 GiB", "ff ff ff ff", ProtocolErrorKind.FrameTooLarge },
        { "hello one byte over 2 KiB", "00 00 08 01  01", ProtocolErrorKind.FrameTooLarge },
        { "error one byte over 1 KiB", "00 00 04 01  02", ProtocolErrorKind.FrameTooLarge },
        { "request one byte over 5 KiB", "00 00 14 01  20", ProtocolErrorKind.FrameTooLarge },
        { "ls end over 16 bytes", "00 00 00 11  12", ProtocolErrorKind.FrameTooLarge },
        { "type 0x00", "00 00 00 01  00", ProtocolErrorKind.UnknownMessage },
        { "type 0x7f", "00 00 00 03  7f 00 00", ProtocolErrorKind.UnknownMessage },
        { "type 0xff with huge length", "00 03 00 00  ff", ProtocolErrorKind.UnknownMessage },

        // Structure.
        { "ls end too short", "00 00 00 05  12 00 00 00 00", ProtocolErrorKind.Malformed },
        { "ls end with a trailing byte", "00 00 00 0a  12 " + Zero8 + " 00", ProtocolErrorKind.Malformed },
        { "overlong varint count", "00 00 00 03  11 80 00", ProtocolErrorKind.Malformed },
        { "varint past 64 bits", "00 00 00 0b  11 ff ff ff ff ff ff ff ff ff 02", ProtocolErrorKind.Malformed },
        { "varint cut by body end", "00 00 00 02  11 80", ProtocolErrorKind.Malformed },
        { "page count beyond bytes present", "00 00 00 0e  11 02 00 00 " + Zero8 + " 01 61", ProtocolErrorKind.Malformed },
        { "path longer than body", "00 00 00 05  10 00 05 61 62", ProtocolErrorKind.Malformed },
        { "hello count beyond proofs present", "00 00 00 27  01 00 01 00 01 00 02" + Peer, ProtocolErrorKind.Malformed },

        // Field values.
        { "page count 257", "00 00 00 03  11 81 02", ProtocolErrorKind.InvalidField },
        { "entry reserved flag", "00 00 00 0d  11 01 02 00 " + Zero8 + " 00", ProtocolErrorKind.InvalidField },
        { "entry size 2^63", "00 00 00 17  11 01 00 80 80 80 80 80 80 80 80 80 01 " + Zero8 + " 01 61", ProtocolErrorKind.InvalidField },
        { "entry path invalid UTF-8", "00 00 00 0f  11 01 00 00 " + Zero8 + " 02 c3 28", ProtocolErrorKind.InvalidField },
        { "entry path overlong '/'", "00 00 00 10  11 01 00 00 " + Zero8 + " 03 61 c0 af", ProtocolErrorKind.InvalidField },
        { "entry path UTF-8 surrogate", "00 00 00 10  11 01 00 00 " + Zero8 + " 03 ed a0 80", ProtocolErrorKind.InvalidField },
        { "entry path with ..", "00 00 00 11  11 01 00 00 " + Zero8 + " 04 61 2f 2e 2e", ProtocolErrorKind.InvalidField },
        { "entry path absolute", "00 00 00 0f  11 01 00 00 " + Zero8 + " 02 2f 61", ProtocolErrorKind.InvalidField },
        { "entry path with NUL", "00 00 00 0f  11 01 00 00 " + Zero8 + " 02 61 00", ProtocolErrorKind.InvalidField },
        { "entry path trailing slash", "00 00 00 0f  11 01 00 00 " + Zero8 + " 02 61 2f", ProtocolErrorKind.InvalidField },
        { "entry path with empty component", "00 00 00 10  11 01 00 00 " + Zero8 + " 03 61 2f 2f", ProtocolErrorKind.InvalidField },
        { "entry path over 4096 bytes", "00 00 00 0e  11 01 00 00 " + Zero8 + " 81 20", ProtocolErrorKind.InvalidField },
        { "ls reserved flag", "00 00 00 03  10 04 00", ProtocolErrorKind.InvalidField },
        { "ls search over 256 bytes", "00 00 00 05  10 02 00 81 02", ProtocolErrorKind.InvalidField },
        { "ls search invalid UTF-8", "00 00 00 05  10 02 00 01 ff", ProtocolErrorKind.InvalidField },
        { "read reserved flag", "00 00 00 14  20 01 01 61 " + Zero8 + Zero8, ProtocolErrorKind.InvalidField },
        { "read offset 2^63", "00 00 00 14  20 00 01 61 80 00 00 00 00 00 00 00 " + Zero8, ProtocolErrorKind.InvalidField },
        { "read range past 2^63 - 1", "00 00 00 14  20 00 01 61 7f ff ff ff ff ff ff ff 00 00 00 00 00 00 00 01", ProtocolErrorKind.InvalidField },
        { "read response reserved flag", "00 00 00 0a  21 80 " + Zero8, ProtocolErrorKind.InvalidField },
        { "read response length 2^64 - 1", "00 00 00 0a  21 00 ff ff ff ff ff ff ff ff", ProtocolErrorKind.InvalidField },
        { "hello version 0", "00 00 00 07  01 00 00 00 00 00 00", ProtocolErrorKind.InvalidField },
        { "hello min above version", "00 00 00 07  01 00 01 00 02 00 00", ProtocolErrorKind.InvalidField },
        { "hello 17 proofs", "00 00 00 07  01 00 01 00 01 00 11", ProtocolErrorKind.InvalidField },
        { "error text invalid UTF-8", "00 00 00 05  02 00 01 01 80", ProtocolErrorKind.InvalidField },
        { "error text over 512 bytes", "00 00 00 05  02 00 01 81 04", ProtocolErrorKind.InvalidField },
        { "announce reserved flag", "00 00 00 2c  30 01" + Peer + "00 " + Zero8 + " 00", ProtocolErrorKind.InvalidField },
        { "announce zero peer", "00 00 00 2c  30 00" + Hex.Repeat("00", 32) + "00 " + Zero8 + " 00", ProtocolErrorKind.InvalidField },
        { "announce 17 addresses", "00 00 00 2c  30 00" + Peer + "00 " + Zero8 + " 11", ProtocolErrorKind.InvalidField },
        { "announce family 5", "00 00 00 33  30 00" + Peer + "00 " + Zero8 + " 01 05 7f 00 00 01 11 51", ProtocolErrorKind.InvalidField },
        { "announce port 0", "00 00 00 33  30 00" + Peer + "00 " + Zero8 + " 01 04 7f 00 00 01 00 00", ProtocolErrorKind.InvalidField },
        { "announce trailing byte", "00 00 00 2d  30 00" + Peer + "00 " + Zero8 + " 00 00", ProtocolErrorKind.Malformed },
    };

    [Theory]
    [MemberData(nameof(Garbage))]
    public void TryRead_Garbage_ThrowsProtocolExceptionOfItsKind(string name, string hex, ProtocolErrorKind kind)
    {
        var error = Codec.DecodeFails(Hex.Bytes(hex));
        Assert.True(kind == error.Kind, $"{name}: expected {kind}, got {error.Kind} ({error.Message})");
        Assert.Null(error.InnerException);
    }

    [Theory]
    [MemberData(nameof(Garbage))]
    public void Decode_Garbage_ThrowsSameKindAsTryRead(string name, string hex, ProtocolErrorKind kind)
    {
        var error = Assert.Throws<ProtocolException>(() => FrameReader.Decode(Hex.Bytes(hex), out _));
        Assert.True(kind == error.Kind, $"{name}: expected {kind}, got {error.Kind} ({error.Message})");
    }

    [Fact]
    public void Decode_IncompleteFrame_ThrowsTruncated()
    {
        var frame = Hex.Bytes("00 00 00 09  12 00 00 00 00 00 00 00 01");
        for (var length = 0; length < frame.Length; length++)
        {
            var error = Assert.Throws<ProtocolException>(() => FrameReader.Decode(frame.AsSpan(0, length), out _));
            Assert.Equal(ProtocolErrorKind.Truncated, error.Kind);
        }
    }

    [Fact]
    public void Decode_FrameFollowedBySignature_ReturnsMessageAndFrameLength()
    {
        var data = Hex.Bytes("00 00 00 09  12 00 00 00 00 00 00 00 01" + Hex.Repeat("ee", 64));
        var message = FrameReader.Decode(data, out var consumed);
        Assert.Equal(new LsEnd(1), message);
        Assert.Equal(13, consumed);
    }
}

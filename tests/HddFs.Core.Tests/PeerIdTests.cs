namespace HddFs.Core.Tests;

public sealed class PeerIdTests
{
    private static PeerId Make(byte first, byte second = 0)
    {
        var bytes = new byte[32];
        bytes[0] = first;
        bytes[1] = second;
        bytes[31] = 0xAB;
        return new PeerId(bytes);
    }

    [Fact]
    public void Hex_RoundTrips()
    {
        var id = Make(0x12, 0x34);
        Assert.Equal(64, id.ToHex().Length);
        Assert.Equal(id, PeerId.Parse(id.ToHex()));
        Assert.Equal(id, PeerId.Parse(id.ToHex().ToUpperInvariant()));
        Assert.Equal("12340000", id.Fingerprint);
        Assert.Equal(id.ToArray(), Convert.FromHexString(id.ToHex()));
    }

    [Theory]
    [InlineData("")]
    [InlineData("zz")]
    [InlineData("0123")]
    public void TryParse_Garbage_Fails(string text) => Assert.False(PeerId.TryParse(text, out _));

    [Fact]
    public void Constructor_WrongLength_Throws() => Assert.Throws<ArgumentException>(() => new PeerId(new byte[31]));

    [Fact]
    public void Ordering_IsByBytes()
    {
        Assert.True(Make(1) < Make(2));
        Assert.True(Make(1, 9) < Make(2, 0));
        Assert.Equal(0, Make(5).CompareTo(Make(5)));
    }

    [Fact]
    public void PeerName_IsDerivedFromKeyAndStable()
    {
        Assert.Equal(PeerName.For(Make(0, 0)), PeerName.For(Make(0, 0)));
        Assert.Equal("able-aardvark", PeerName.For(Make(0, 0)));
        Assert.NotEqual(PeerName.For(Make(1, 0)), PeerName.For(Make(2, 0)));
        Assert.Matches("^[a-z]+-[a-z]+ \\([0-9a-f]{8}\\)$", PeerName.Display(Make(200, 100)));
    }

    [Fact]
    public void HexPrefix_MatchesCaseInsensitively()
    {
        var id = Make(0xAB, 0xCD);
        Assert.True(id.HasHexPrefix("abcd"));
        Assert.True(id.HasHexPrefix("ABC"));
        Assert.False(id.HasHexPrefix("abd"));
        Assert.False(id.HasHexPrefix(""));
    }
}

public sealed class Bytes32Tests
{
    [Fact]
    public void RoundTrip_EqualityAndOrder()
    {
        var bytes = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        var value = new Bytes32(bytes);
        Assert.Equal(bytes, value.ToArray());
        Assert.Equal(Convert.ToHexStringLower(bytes), value.ToHex());
        Assert.Equal(value, new Bytes32(bytes));
        bytes[31] = 0xFF;
        Assert.True(value < new Bytes32(bytes));
        Assert.False(value.IsZero);
        Assert.True(default(Bytes32).IsZero);
    }

    [Fact]
    public void WrongLength_NamesTheValue()
        => Assert.Contains("topic proof", Assert.Throws<ArgumentException>(() => new Bytes32(new byte[31], "topic proof")).Message, StringComparison.Ordinal);
}

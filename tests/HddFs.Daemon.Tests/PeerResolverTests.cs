using HddFs.Core;
using HddFs.Daemon.Control;

namespace HddFs.Daemon.Tests;

public sealed class PeerResolverTests
{
    private static PeerInfo Peer(byte a, byte b, byte tail)
    {
        var key = new byte[32];
        key[0] = a;
        key[1] = b;
        key[31] = tail;
        var id = new PeerId(key);
        return new PeerInfo(id, PeerName.For(id), false, true);
    }

    [Fact]
    public void Resolve_ByNameKeyPrefixOrFullKey()
    {
        var p = Peer(1, 2, 3);
        var q = Peer(9, 9, 9);
        PeerInfo[] all = [p, q];
        Assert.Equal(p.Id, PeerResolver.Resolve(p.Name, all));
        Assert.Equal(p.Id, PeerResolver.Resolve(p.Name.ToUpperInvariant(), all));
        Assert.Equal(p.Id, PeerResolver.Resolve("0102", all));
        Assert.Equal(p.Id, PeerResolver.Resolve(p.Id.ToHex(), all));
    }

    [Fact]
    public void Resolve_SameNameTwice_AmbiguousUnlessDisambiguated()
    {
        var p = Peer(1, 2, 0x13);
        var twin = Peer(1, 2, 0x24); // same first two bytes: same display name; keys differ in the last byte
        PeerInfo[] all = [p, twin];
        Assert.Equal(p.Name, twin.Name);
        Assert.Equal(ControlError.AmbiguousPeer, Assert.Throws<ControlException>(() => PeerResolver.Resolve(p.Name, all)).Error);
        Assert.Equal(ControlError.AmbiguousPeer, Assert.Throws<ControlException>(() => PeerResolver.Resolve("0102", all)).Error);
        Assert.Equal(twin.Id, PeerResolver.Resolve(twin.Id.ToHex()[..63], all));
    }

    [Theory]
    [InlineData("")]
    [InlineData("nobody")]
    [InlineData("ff")]
    public void Resolve_Unknown_Fails(string text)
        => Assert.Throws<ControlException>(() => PeerResolver.Resolve(text, [Peer(1, 2, 3)]));

    [Fact]
    public void Resolve_FullKeyNotInParty_UnknownPeer()
        => Assert.Equal(ControlError.UnknownPeer, Assert.Throws<ControlException>(() => PeerResolver.Resolve(Peer(7, 7, 7).Id.ToHex(), [Peer(1, 2, 3)])).Error);
}

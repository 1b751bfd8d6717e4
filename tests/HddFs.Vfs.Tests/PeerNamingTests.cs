using HddFs.Core;
using HddFs.Testing;

namespace HddFs.Vfs.Tests;

public sealed class PeerNamingTests
{
    private static PeerInfo Peer(int seed, string name) => new(FakeRemoteShares.NewPeerId(seed), name, false, true);

    [Fact]
    public void Assign_DistinctNames_KeptAsTheyAre()
    {
        var names = PeerNaming.Assign([Peer(1, "b"), Peer(2, "a")]).Select(d => d.Name);

        Assert.Equal(["a", "b"], names);
    }

    [Fact]
    public void Assign_SameInputInAnyOrder_SameNames()
    {
        PeerInfo[] peers = [Peer(1, "x"), Peer(2, "x"), Peer(3, "y")];

        var forward = PeerNaming.Assign(peers).Select(d => (d.Id, d.Name)).ToList();
        var backward = PeerNaming.Assign(peers.Reverse().ToArray()).Select(d => (d.Id, d.Name)).ToList();

        Assert.Equal(forward, backward);
    }

    [Fact]
    public void Assign_CraftedNameEqualToDecoratedName_AllStillUnique()
    {
        var a = Peer(1, "bob");
        var b = Peer(2, "bob");
        var crafted = Peer(3, "bob-" + a.Id.Fingerprint);

        var names = PeerNaming.Assign([a, b, crafted]).Select(d => d.Name).ToList();

        Assert.Equal(3, names.Distinct(StringComparer.Ordinal).Count());
        Assert.All(names, n => Assert.True(SharePath.IsValidComponent(n, out _)));
    }

    [Theory]
    [InlineData("a/b", "a_b")]
    [InlineData("nul\0here", "nul_here")]
    public void Assign_NameWithSeparators_Sanitised(string name, string expected)
        => Assert.Equal(expected, PeerNaming.Assign([Peer(1, name)]).Single().Name);

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("..")]
    public void Assign_UnusableName_FingerprintUsed(string name)
    {
        var peer = Peer(1, name);

        Assert.Equal(peer.Id.Fingerprint, PeerNaming.Assign([peer]).Single().Name);
    }

    [Fact]
    public void Assign_SamePeerTwice_ShownOnce()
        => Assert.Single(PeerNaming.Assign([Peer(1, "a"), Peer(1, "a")]));
}

using System.Text;
using HddFs.Core;
using HddFs.Testing;

namespace HddFs.Vfs.Tests;

public sealed class RootTests
{
    [Fact]
    public async Task Root_WithPeersIncludingSelf_ListsOneDirectoryPerPeer()
    {
        await using var mount = TestMount.Create(party =>
        {
            var me = new FakeRemoteShares(FakeRemoteShares.NewPeerId(1));
            var alice = new FakeRemoteShares(FakeRemoteShares.NewPeerId(2));
            party.Add(me, "me", isSelf: true);
            party.Add(alice, "alice");
            return [me, alice];
        });

        var entries = await mount.ListAsync(VirtualFileSystem.RootNode);

        Assert.Equal([".", "..", "alice", "me"], entries.Select(e => e.Name));
        Assert.All(entries, e => Assert.True(e.Entry.Attributes.IsDirectory));
        Assert.All(entries, e => Assert.Equal(VfsAttributes.DirectoryMode, e.Entry.Attributes.Mode));
        Assert.All(entries, e => Assert.Equal(1000u, e.Entry.Attributes.Uid));
        Assert.Equal(VirtualFileSystem.RootNode, entries[0].Entry.Node);
        Assert.Equal(VirtualFileSystem.RootNode, entries[1].Entry.Node);
        Assert.Equal([1L, 2, 3, 4], entries.Select(e => e.NextOffset));
    }

    [Fact]
    public async Task Root_TwoPeersWithOneName_EachGetsItsFingerprintAppended()
    {
        await using var mount = TestMount.Create(party =>
        {
            var a = new FakeRemoteShares(FakeRemoteShares.NewPeerId(1));
            var b = new FakeRemoteShares(FakeRemoteShares.NewPeerId(2));
            party.Add(a, "bob");
            party.Add(b, "bob");
            return [a, b];
        });

        var names = await mount.NamesAsync(VirtualFileSystem.RootNode);

        var expected = mount.Peers.Select(p => "bob-" + p.Peer.Fingerprint).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, names);
        foreach (var peer in mount.Peers)
        {
            var entry = await mount.WalkAsync("bob-" + peer.Peer.Fingerprint);
            var key = mount.Vfs.GetExtendedAttribute(entry.Node, VirtualFileSystem.PeerAttribute);
            Assert.Equal(peer.Peer.ToHex(), Encoding.UTF8.GetString(key));
        }
    }

    [Fact]
    public async Task Root_LookupOfUnknownPeer_NotFound()
    {
        await using var mount = TestMount.WithPeer(_ => { });

        var error = await Assert.ThrowsAsync<VfsException>(() => mount.WalkAsync("nobody"));

        Assert.Equal(VfsError.NotFound, error.Error);
    }

    [Fact]
    public async Task Root_PeerJoins_AppearsAndEntryIsInvalidated()
    {
        await using var mount = TestMount.WithPeer(_ => { });
        Assert.Equal(["alice"], await mount.NamesAsync(VirtualFileSystem.RootNode));

        mount.Party.Add(new FakeRemoteShares(FakeRemoteShares.NewPeerId(7)), "carol");

        Assert.Equal(["alice", "carol"], await mount.NamesAsync(VirtualFileSystem.RootNode));
        Assert.Contains(new VfsInvalidation(VfsInvalidationKind.Entry, VirtualFileSystem.RootNode, "carol"), mount.Invalidations);
        Assert.Contains(new VfsInvalidation(VfsInvalidationKind.Node, VirtualFileSystem.RootNode, null), mount.Invalidations);
    }

    [Fact]
    public async Task Root_PeerLeaves_DirectoryGoneAndItsNodesNotFound()
    {
        await using var mount = TestMount.WithPeer(s => s.AddFile("Music/song.mp3", [1, 2, 3]));
        var peerNode = (await mount.WalkAsync("alice")).Node;
        var share = await mount.WalkAsync("alice/Music");

        mount.Party.Remove(mount.Alice.Peer);

        Assert.Empty(await mount.NamesAsync(VirtualFileSystem.RootNode));
        Assert.Contains(new VfsInvalidation(VfsInvalidationKind.Entry, VirtualFileSystem.RootNode, "alice"), mount.Invalidations);
        var lookup = await Assert.ThrowsAsync<VfsException>(async () => await mount.Vfs.LookupAsync(share.Node, "song.mp3", CancellationToken.None));
        Assert.Equal(VfsError.NotFound, lookup.Error);
        var stat = await Assert.ThrowsAsync<VfsException>(async () => await mount.Vfs.GetAttributesAsync(peerNode, CancellationToken.None));
        Assert.Equal(VfsError.NotFound, stat.Error);
    }

    [Fact]
    public async Task PeerDirectory_Listed_ShowsSharesWithCumulativeSizes()
    {
        await using var mount = TestMount.WithPeer(s =>
        {
            s.AddFile("Music/a/one.flac", new byte[1000]);
            s.AddFile("Music/two.flac", new byte[234]);
            s.AddFile("Films/film.mkv", new byte[5000]);
        });
        var peer = await mount.WalkAsync("alice");

        var entries = (await mount.ListAsync(peer.Node)).Where(e => e.Name is not "." and not "..").ToList();

        Assert.Equal(["Films", "Music"], entries.Select(e => e.Name));
        Assert.Equal([5000L, 1234], entries.Select(e => e.Entry.Attributes.Size));
        Assert.All(entries, e => Assert.True(e.Entry.Attributes.IsDirectory));
        Assert.All(entries, e => Assert.Equal(0, e.Entry.Attributes.Blocks));
        var peerAttributes = await mount.Vfs.GetAttributesAsync(peer.Node, CancellationToken.None);
        Assert.Equal(6234, peerAttributes.Size);
        var root = await mount.Vfs.GetAttributesAsync(VirtualFileSystem.RootNode, CancellationToken.None);
        Assert.Equal(6234, root.Size);
    }

    [Fact]
    public async Task PeerName_Rename_OldNameInvalidatedNewNameResolvesToSameNode()
    {
        await using var mount = TestMount.WithPeer(_ => { });
        var before = await mount.WalkAsync("alice");

        mount.Party.Rename(mount.Alice.Peer, "alicia");
        var after = await mount.WalkAsync("alicia");

        Assert.Equal(before.Node, after.Node);
        Assert.Contains(new VfsInvalidation(VfsInvalidationKind.Entry, VirtualFileSystem.RootNode, "alice"), mount.Invalidations);
        Assert.Contains(new VfsInvalidation(VfsInvalidationKind.Entry, VirtualFileSystem.RootNode, "alicia"), mount.Invalidations);
    }
}

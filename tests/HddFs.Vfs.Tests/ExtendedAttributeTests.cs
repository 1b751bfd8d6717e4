using System.Text;
using HddFs.Testing;

namespace HddFs.Vfs.Tests;

public sealed class ExtendedAttributeTests
{
    private const int Block = TestMount.BlockSize;
    private static readonly byte[] Content = FakeRemoteShares.Pattern(3 * Block, seed: 21);

    private static string Get(TestMount mount, ulong node, string name) => Encoding.UTF8.GetString(mount.Vfs.GetExtendedAttribute(node, name));

    [Fact]
    public async Task File_Attributes_TrackCacheStateFromRemoteToCachedAndOffline()
    {
        await using var mount = TestMount.WithPeer(s => s.AddFile("Films/film.mkv", Content), new VfsOptions { PrefetchMaxWindow = 0 });
        var file = await mount.WalkAsync("alice/Films/film.mkv");

        Assert.Equal(
            [VirtualFileSystem.PeerAttribute, VirtualFileSystem.PathAttribute, VirtualFileSystem.SizeAttribute, VirtualFileSystem.CachedAttribute, VirtualFileSystem.StateAttribute],
            mount.Vfs.ListExtendedAttributes(file.Node));
        Assert.Equal(mount.Alice.Peer.ToHex(), Get(mount, file.Node, VirtualFileSystem.PeerAttribute));
        Assert.Equal("Films/film.mkv", Get(mount, file.Node, VirtualFileSystem.PathAttribute));
        Assert.Equal($"{3 * Block}", Get(mount, file.Node, VirtualFileSystem.SizeAttribute));
        Assert.Equal("0", Get(mount, file.Node, VirtualFileSystem.CachedAttribute));
        Assert.Equal("remote", Get(mount, file.Node, VirtualFileSystem.StateAttribute));

        var open = await mount.Vfs.OpenFileAsync(file.Node, CancellationToken.None);
        await mount.ReadAsync(open.Handle, 0, 10);
        // The read returns as soon as its 10 bytes arrived (streamed); the rest of the block follows.
        await PrefetchTests.WaitUntilAsync(() => Get(mount, file.Node, VirtualFileSystem.CachedAttribute) == $"{Block}");
        Assert.Equal("partial", Get(mount, file.Node, VirtualFileSystem.StateAttribute));

        mount.Party.SetConnected(mount.Alice.Peer, false);
        Assert.Equal("offline", Get(mount, file.Node, VirtualFileSystem.StateAttribute));
        mount.Party.SetConnected(mount.Alice.Peer, true);

        await mount.ReadAsync(open.Handle, Block, 2 * Block);
        Assert.Equal("cached", Get(mount, file.Node, VirtualFileSystem.StateAttribute));
        mount.Party.SetConnected(mount.Alice.Peer, false);
        Assert.Equal("cached", Get(mount, file.Node, VirtualFileSystem.StateAttribute));
    }

    [Fact]
    public async Task Directories_Attributes_ShowPeerAndOnlineState()
    {
        await using var mount = TestMount.WithPeer(s => s.AddFile("Films/film.mkv", Content));
        var peer = await mount.WalkAsync("alice");
        var films = await mount.WalkAsync("alice/Films");

        Assert.Equal([VirtualFileSystem.PeerAttribute, VirtualFileSystem.SizeAttribute, VirtualFileSystem.StateAttribute], mount.Vfs.ListExtendedAttributes(peer.Node));
        Assert.Equal("online", Get(mount, peer.Node, VirtualFileSystem.StateAttribute));
        Assert.Equal($"{3 * Block}", Get(mount, peer.Node, VirtualFileSystem.SizeAttribute));
        Assert.Equal("Films", Get(mount, films.Node, VirtualFileSystem.PathAttribute));
        Assert.Equal($"{3 * Block}", Get(mount, films.Node, VirtualFileSystem.SizeAttribute));

        mount.Party.SetConnected(mount.Alice.Peer, false);
        Assert.Equal("offline", Get(mount, films.Node, VirtualFileSystem.StateAttribute));
    }

    [Fact]
    public async Task UnknownAttributeOrRoot_NoAttribute()
    {
        await using var mount = TestMount.WithPeer(s => s.AddFile("Films/film.mkv", Content));
        var file = await mount.WalkAsync("alice/Films/film.mkv");

        Assert.Empty(mount.Vfs.ListExtendedAttributes(VirtualFileSystem.RootNode));
        Assert.Equal(VfsError.NoAttribute, Assert.Throws<VfsException>(() => mount.Vfs.GetExtendedAttribute(VirtualFileSystem.RootNode, VirtualFileSystem.PeerAttribute)).Error);
        Assert.Equal(VfsError.NoAttribute, Assert.Throws<VfsException>(() => mount.Vfs.GetExtendedAttribute(file.Node, "user.other")).Error);
        Assert.Equal(VfsError.NoAttribute, Assert.Throws<VfsException>(() => mount.Vfs.GetExtendedAttribute(file.Node, "security.selinux")).Error);
    }

    [Fact]
    public async Task Statistics_ReportKnownShareSizesAndNothingFree()
    {
        await using var mount = TestMount.WithPeer(s =>
        {
            s.AddFile("Films/a", new byte[(2 * Block) + 1]);
            s.AddFile("Music/b", new byte[Block]);
        });
        Assert.Equal(0, mount.Vfs.GetFileSystemStatistics().TotalBlocks);
        await mount.NamesAsync((await mount.WalkAsync("alice")).Node);

        var statistics = mount.Vfs.GetFileSystemStatistics();

        Assert.Equal(Block, statistics.BlockSize);
        Assert.Equal(4, statistics.TotalBlocks);
        Assert.Equal((0L, 0L, 0L), (statistics.FreeBlocks, statistics.AvailableBlocks, statistics.FreeFiles));
        Assert.Equal(255, statistics.MaxNameLength);
        Assert.True(statistics.Files >= 2);
    }
}

using HddFs.Testing;

namespace HddFs.Vfs.Tests;

public sealed class ChangeTests
{
    private const int Block = TestMount.BlockSize;
    private static readonly byte[] Original = FakeRemoteShares.Pattern(4 * Block, seed: 11);
    private static readonly byte[] Changed = FakeRemoteShares.Pattern((3 * Block) + 7, seed: 12);

    private static TestMount MountWithFile(ManualTimeProvider time)
        => TestMount.WithPeer(s => s.AddFile("Docs/report.pdf", Original, 1000), new VfsOptions { PrefetchMaxWindow = 0 }, time);

    [Fact]
    public async Task OpenFile_UnchangedSinceLastOpen_KeepCacheOnlyFromTheSecondOpen()
    {
        await using var mount = MountWithFile(new ManualTimeProvider());
        var file = await mount.WalkAsync("alice/Docs/report.pdf");

        var first = await mount.Vfs.OpenFileAsync(file.Node, CancellationToken.None);
        mount.Vfs.ReleaseFile(first.Handle);
        var second = await mount.Vfs.OpenFileAsync(file.Node, CancellationToken.None);

        Assert.False(first.KeepCache);
        Assert.True(second.KeepCache);
        Assert.NotEqual(first.Handle, second.Handle);
    }

    [Fact]
    public async Task ChangedRemoteFile_AfterTtl_NewVersionInvalidatedNoKeepCacheNewContent()
    {
        var time = new ManualTimeProvider();
        await using var mount = MountWithFile(time);
        var file = await mount.WalkAsync("alice/Docs/report.pdf");
        Assert.Equal(Original, await mount.ReadAllAsync(file.Node));
        Assert.True((await mount.Vfs.OpenFileAsync(file.Node, CancellationToken.None)).KeepCache);

        mount.Alice.SetContent("Docs/report.pdf", Changed, 2000);
        time.Advance(mount.Vfs.Options.ListingTtl + TimeSpan.FromSeconds(1));
        var attributes = await mount.Vfs.GetAttributesAsync(file.Node, CancellationToken.None);

        Assert.Equal(Changed.Length, attributes.Size);
        Assert.Equal(2000, attributes.ModifiedUnixMs);
        Assert.Contains(new VfsInvalidation(VfsInvalidationKind.Node, file.Node, null), mount.Invalidations);
        var reopened = await mount.Vfs.OpenFileAsync(file.Node, CancellationToken.None);
        Assert.False(reopened.KeepCache);
        Assert.Equal(Changed, await mount.ReadAllAsync(file.Node));
    }

    [Fact]
    public async Task TouchedRemoteFile_SameSizeNewMtime_NewCacheKeyNotServedFromOldBlocks()
    {
        var time = new ManualTimeProvider();
        await using var mount = MountWithFile(time);
        var file = await mount.WalkAsync("alice/Docs/report.pdf");
        Assert.Equal(Original, await mount.ReadAllAsync(file.Node));
        var sameSize = FakeRemoteShares.Pattern(Original.Length, seed: 13);

        mount.Alice.SetContent("Docs/report.pdf", sameSize, 3000);
        time.Advance(mount.Vfs.Options.ListingTtl + TimeSpan.FromSeconds(1));

        var reopened = await mount.Vfs.OpenFileAsync(file.Node, CancellationToken.None);
        Assert.False(reopened.KeepCache);
        Assert.Equal(sameSize, await mount.ReadAsync(reopened.Handle, 0, Original.Length));
    }

    [Fact]
    public async Task OpenHandle_FileChangedAndRelisted_CachedOldBlocksServedUncachedFail()
    {
        var time = new ManualTimeProvider();
        await using var mount = MountWithFile(time);
        var file = await mount.WalkAsync("alice/Docs/report.pdf");
        var open = await mount.Vfs.OpenFileAsync(file.Node, CancellationToken.None);
        Assert.Equal(Original.AsSpan(0, 100).ToArray(), await mount.ReadAsync(open.Handle, 0, 100));

        mount.Alice.SetContent("Docs/report.pdf", FakeRemoteShares.Pattern(Original.Length, seed: 14), 4000);
        time.Advance(mount.Vfs.Options.ListingTtl + TimeSpan.FromSeconds(1));
        await mount.Vfs.GetAttributesAsync(file.Node, CancellationToken.None);

        Assert.Equal(Original.AsSpan(200, 100).ToArray(), await mount.ReadAsync(open.Handle, 200, 100));
        var error = await Assert.ThrowsAsync<VfsException>(() => mount.ReadAsync(open.Handle, 2 * Block, 100));
        Assert.Equal(VfsError.IoError, error.Error);
    }

    [Fact]
    public async Task ChangedDirectory_NewAndRemovedNames_EntryInvalidations()
    {
        var time = new ManualTimeProvider();
        await using var mount = TestMount.WithPeer(
            s =>
            {
                s.AddFile("Docs/keep", [1]);
                s.AddFile("Docs/old", [1]);
            },
            time: time);
        var docs = await mount.WalkAsync("alice/Docs");
        Assert.Equal(["keep", "old"], await mount.NamesAsync(docs.Node));

        mount.Alice.Remove("Docs/old");
        mount.Alice.AddFile("Docs/new", [1, 2]);
        time.Advance(mount.Vfs.Options.ListingTtl + TimeSpan.FromSeconds(1));

        Assert.Equal(["keep", "new"], await mount.NamesAsync(docs.Node));
        Assert.Contains(new VfsInvalidation(VfsInvalidationKind.Entry, docs.Node, "old"), mount.Invalidations);
        Assert.Contains(new VfsInvalidation(VfsInvalidationKind.Entry, docs.Node, "new"), mount.Invalidations);
        Assert.DoesNotContain(new VfsInvalidation(VfsInvalidationKind.Entry, docs.Node, "keep"), mount.Invalidations);
    }
}

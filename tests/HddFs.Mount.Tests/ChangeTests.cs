using HddFs.Testing;

namespace HddFs.Mount.Tests;

/// <summary>Remote changes reach readers: after the listing TTL the new bytes are read, not the kernel's
/// cached pages (KEEP_CACHE is dropped for a changed file and the kernel is told to invalidate it), and
/// names that appear or disappear show up in listings.</summary>
public sealed class ChangeTests
{
    [SystemTheory(Needs.Fuse)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RemoteFileChanged_AfterTheListingTtl_NewContentIsRead(bool sameSize)
    {
        await using var party = await MountedParty.StartAsync();
        var cache = (InMemoryBlockStore)party.Cache;
        const string Path = "Docs/changing.txt";
        var v1 = FakeRemoteShares.Pattern(150_000, 1);
        party.Alice.AddFile(Path, v1, FakeRemoteShares.DefaultModifiedUnixMs);
        var file = party["alice/" + Path];

        Assert.Equal(v1, await File.ReadAllBytesAsync(file));
        Assert.Equal(v1, await File.ReadAllBytesAsync(file));

        // Unchanged: the second open keeps the page cache, so a third read never reaches the VFS.
        var reads = cache.Reads;
        Assert.Equal(v1, await File.ReadAllBytesAsync(file));
        Assert.Equal(reads, cache.Reads);

        var v2 = FakeRemoteShares.Pattern(sameSize ? v1.Length : 170_001, 2);
        party.Alice.SetContent(Path, v2, FakeRemoteShares.DefaultModifiedUnixMs + 60_000);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        byte[] seen;
        do
        {
            await Task.Delay(250);
            seen = await File.ReadAllBytesAsync(file);
        }
        while (!seen.AsSpan().SequenceEqual(v2) && DateTime.UtcNow < deadline);

        Assert.Equal(v2, seen);
        Assert.Equal(v2.Length, new FileInfo(file).Length);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(FakeRemoteShares.DefaultModifiedUnixMs + 60_000).UtcDateTime, File.GetLastWriteTimeUtc(file));
        Assert.Equal(TestTree.Alice["Docs/a b c.txt"].Content, await File.ReadAllBytesAsync(party["alice/Docs/a b c.txt"]));
    }

    [SystemFact(Needs.Fuse)]
    public async Task ChangeNoticedByTheVfs_DropsTheKernelsCachedAttributesBeforeTheirTimeout()
    {
        // The kernel may keep names and attributes for a minute; only the notification can make it ask again.
        var fast = MountedParty.FastOptions();
        var options = new HddFs.Vfs.VfsOptions
        {
            RequestTimeout = fast.RequestTimeout,
            ListingTtl = TimeSpan.FromMilliseconds(500),
            AttributeTimeout = TimeSpan.FromMinutes(1),
            EntryTimeout = TimeSpan.FromMinutes(1),
            NegativeEntryTimeout = TimeSpan.Zero,
            Uid = fast.Uid,
            Gid = fast.Gid,
        };
        await using var party = await MountedParty.StartAsync(vfsOptions: options);
        const string Path = "Docs/watched.txt";
        party.Alice.AddFile(Path, "old content\n"u8.ToArray());
        var file = party["alice/" + Path];
        Assert.Equal("old content\n", await File.ReadAllTextAsync(file));
        Assert.Equal(12, new FileInfo(file).Length);

        party.Alice.SetContent(Path, "new content, longer\n"u8.ToArray(), FakeRemoteShares.DefaultModifiedUnixMs + 5_000);
        await Task.Delay(600);
        Assert.Equal(12, new FileInfo(file).Length); // still the kernel's cached attributes

        // Any lookup in the directory makes the VFS re-list it; it notices the change and the mount tells
        // the kernel, which then asks for the attributes again.
        var sentBefore = party.Mount.GetStatistics().InvalidationsSent;
        Assert.False(File.Exists(party["alice/Docs/probe.txt"]));
        Assert.True(SpinWait.SpinUntil(() => party.Mount.GetStatistics().InvalidationsSent > sentBefore, TimeSpan.FromSeconds(5)), "no invalidation was sent");
        Assert.True(SpinWait.SpinUntil(() => new FileInfo(file).Length == 20, TimeSpan.FromSeconds(5)), "the kernel kept the old size");
        Assert.Equal("new content, longer\n", await File.ReadAllTextAsync(file));
    }

    [SystemFact(Needs.Fuse)]
    public async Task NamesAppearingAndDisappearing_ShowUpAfterTheTtl()
    {
        await using var party = await MountedParty.StartAsync();
        var docs = party["alice/Docs"];
        Assert.Contains("zero.bin", Directory.GetFiles(docs).Select(System.IO.Path.GetFileName));

        party.Alice.Remove("Docs/zero.bin");
        party.Alice.AddFile("Docs/brand-new.txt", "new\n"u8.ToArray());

        Assert.True(
            SpinWait.SpinUntil(
                () =>
                {
                    var names = Directory.GetFiles(docs).Select(System.IO.Path.GetFileName).ToList();
                    return names.Contains("brand-new.txt") && !names.Contains("zero.bin");
                },
                TimeSpan.FromSeconds(10)),
            "the listing never changed");
        // The kernel's dentry goes with the (asynchronous) notification, or at the latest with the entry timeout.
        Assert.True(SpinWait.SpinUntil(() => !File.Exists(party["alice/Docs/zero.bin"]), TimeSpan.FromSeconds(3)), "zero.bin still stat-able");
        Assert.Equal("new\n", await File.ReadAllTextAsync(party["alice/Docs/brand-new.txt"]));

        // A peer leaving the party disappears from the root.
        party.Party.Remove(party.Bob.Peer);
        Assert.True(SpinWait.SpinUntil(() => !Directory.Exists(party["bob"]), TimeSpan.FromSeconds(10)));
        Assert.Equal(["alice", "me"], Directory.GetDirectories(party.Root).Select(System.IO.Path.GetFileName).Order(StringComparer.Ordinal));
    }
}

using HddFs.Core;
using HddFs.Testing;

namespace HddFs.Vfs.Tests;

public sealed class ListingTests
{
    private const long Mtime = 1_650_000_000_123;

    [Fact]
    public async Task Directory_Listed_ShowsNamesSizesTypesAndMtimes()
    {
        await using var mount = TestMount.WithPeer(s =>
        {
            s.AddFile("Music/b.flac", new byte[300], Mtime);
            s.AddFile("Music/a.flac", new byte[1025], Mtime + 1);
            s.AddFile("Music/Sub/c.flac", new byte[7], Mtime);
            s.AddDirectory("Music/Sub", Mtime + 2);
        });
        var music = await mount.WalkAsync("alice/Music");

        var entries = (await mount.ListAsync(music.Node)).Skip(2).ToList();

        Assert.Equal(["Sub", "a.flac", "b.flac"], entries.Select(e => e.Name));
        var sub = entries[0].Entry.Attributes;
        Assert.True(sub.IsDirectory);
        Assert.Equal(7, sub.Size);
        Assert.Equal(Mtime + 2, sub.ModifiedUnixMs);
        var a = entries[1].Entry.Attributes;
        Assert.False(a.IsDirectory);
        Assert.Equal(VfsAttributes.FileMode, a.Mode);
        Assert.Equal(1025, a.Size);
        Assert.Equal(3, a.Blocks);
        Assert.Equal(Mtime + 1, a.ModifiedUnixMs);
        Assert.Equal((1000u, 1000u, 1u), (a.Uid, a.Gid, a.LinkCount));
        Assert.Equal(TestMount.BlockSize, a.BlockSize);
        Assert.Equal(mount.Vfs.Options.AttributeTimeout, a.Timeout);
        Assert.Equal(music.Node, (await mount.ListAsync(music.Node))[0].Entry.Node);
    }

    [Fact]
    public async Task Lookup_ChildrenOfListedDirectory_AnsweredWithoutMoreRpcs()
    {
        await using var mount = TestMount.WithPeer(s =>
        {
            for (var i = 0; i < 50; i++)
            {
                s.AddFile($"Docs/file{i:D2}.txt", new byte[i]);
            }
        });
        var docs = await mount.WalkAsync("alice/Docs");
        var listed = await mount.ListAsync(docs.Node);
        var before = mount.Alice.ListRequests;

        foreach (var entry in listed.Skip(2))
        {
            var looked = await mount.Vfs.LookupAsync(docs.Node, entry.Name, CancellationToken.None);
            var stat = await mount.Vfs.GetAttributesAsync(looked.Node, CancellationToken.None);
            Assert.Equal(entry.Entry.Node, looked.Node);
            Assert.Equal(entry.Entry.Attributes.Size, stat.Size);
        }

        Assert.Equal(before, mount.Alice.ListRequests);
    }

    [Fact]
    public async Task Lookup_MissingNameInFreshListing_NotFoundWithoutRpc()
    {
        await using var mount = TestMount.WithPeer(s => s.AddFile("Docs/here.txt", [1]));
        var docs = await mount.WalkAsync("alice/Docs");
        await mount.Vfs.LookupAsync(docs.Node, "here.txt", CancellationToken.None);
        var before = mount.Alice.ListRequests;

        for (var i = 0; i < 5; i++)
        {
            var error = await Assert.ThrowsAsync<VfsException>(async () => await mount.Vfs.LookupAsync(docs.Node, "missing.txt", CancellationToken.None));
            Assert.Equal(VfsError.NotFound, error.Error);
        }

        Assert.Equal(before, mount.Alice.ListRequests);
    }

    [Fact]
    public async Task Lookup_AfterListingTtl_RelistsOnceThenCachedAgain()
    {
        var time = new ManualTimeProvider();
        await using var mount = TestMount.WithPeer(s => s.AddFile("Docs/a.txt", [1]), time: time);
        var docs = await mount.WalkAsync("alice/Docs");
        await mount.Vfs.LookupAsync(docs.Node, "a.txt", CancellationToken.None);
        var before = mount.Alice.ListRequests;

        time.Advance(mount.Vfs.Options.ListingTtl - TimeSpan.FromSeconds(1));
        await mount.Vfs.LookupAsync(docs.Node, "a.txt", CancellationToken.None);
        Assert.Equal(before, mount.Alice.ListRequests);

        time.Advance(TimeSpan.FromSeconds(2));
        mount.Alice.AddFile("Docs/b.txt", [2]);
        await mount.Vfs.LookupAsync(docs.Node, "b.txt", CancellationToken.None);
        await mount.Vfs.LookupAsync(docs.Node, "a.txt", CancellationToken.None);
        Assert.Equal(before + 1, mount.Alice.ListRequests);
        Assert.Contains(new VfsInvalidation(VfsInvalidationKind.Entry, docs.Node, "b.txt"), mount.Invalidations);
    }

    [Fact]
    public async Task Inode_SamePathAfterForgetAndLookup_SameNumber()
    {
        await using var mount = TestMount.WithPeer(s => s.AddFile("Docs/a.txt", [1]));
        var first = await mount.WalkAsync("alice/Docs/a.txt");
        var nodes = mount.Vfs.NodeCount;

        mount.Vfs.Forget(first.Node, 1);
        Assert.Equal(nodes - 1, mount.Vfs.NodeCount);
        var error = await Assert.ThrowsAsync<VfsException>(async () => await mount.Vfs.GetAttributesAsync(first.Node, CancellationToken.None));
        Assert.Equal(VfsError.NotFound, error.Error);
        var again = await mount.WalkAsync("alice/Docs/a.txt");

        Assert.Equal(first.Node, again.Node);
    }

    [Fact]
    public async Task Inode_SamePathOnTwoPeers_DifferentNumbers()
    {
        await using var mount = TestMount.Create(party =>
        {
            var a = new FakeRemoteShares(FakeRemoteShares.NewPeerId(1));
            var b = new FakeRemoteShares(FakeRemoteShares.NewPeerId(2));
            a.AddFile("S/f", [1]);
            b.AddFile("S/f", [1]);
            party.Add(a, "a");
            party.Add(b, "b");
            return [a, b];
        });

        var onA = await mount.WalkAsync("a/S/f");
        var onB = await mount.WalkAsync("b/S/f");
        var dirA = await mount.WalkAsync("a/S");

        Assert.NotEqual(onA.Node, onB.Node);
        Assert.NotEqual(onA.Node, dirA.Node);
        Assert.NotEqual(VirtualFileSystem.RootNode, onA.Node);
    }

    [Fact]
    public async Task ReadDirectory_TenThousandEntries_OneRpcAllPagesInOrderWithStableOffsets()
    {
        await using var mount = TestMount.WithPeer(s =>
        {
            for (var i = 0; i < 10_000; i++)
            {
                s.AddFile($"Big/f{i:D5}", [1]);
            }
        });
        var big = await mount.WalkAsync("alice/Big");
        var before = mount.Alice.ListRequests;
        var handle = await mount.Vfs.OpenDirectoryAsync(big.Node, CancellationToken.None);

        var all = new List<VfsDirectoryEntry>();
        long offset = 0;
        while (true)
        {
            var page = await mount.Vfs.ReadDirectoryAsync(handle, offset, 333, CancellationToken.None);
            if (page.Count == 0)
            {
                break;
            }

            all.AddRange(page);
            offset = page[^1].NextOffset;
        }

        var resumed = await mount.Vfs.ReadDirectoryAsync(handle, all[5000].NextOffset, 3, CancellationToken.None);
        mount.Vfs.ReleaseDirectory(handle);

        Assert.Equal(10_002, all.Count);
        Assert.Equal(Enumerable.Range(0, 10_000).Select(i => $"f{i:D5}"), all.Skip(2).Select(e => e.Name));
        Assert.Equal(all.Skip(5001).Take(3).Select(e => (e.Name, e.Entry.Node)), resumed.Select(e => (e.Name, e.Entry.Node)));
        Assert.Equal(10_002, all.Select(e => e.Entry.Node).Skip(2).Append(big.Node).Append(1UL).Distinct().Count());
        Assert.Equal(before + 1, mount.Alice.ListRequests);
    }

    [Fact]
    public async Task Listing_ConcurrentLookupsInOneDirectory_CoalescedIntoOneRpc()
    {
        await using var mount = TestMount.WithPeer(s =>
        {
            for (var i = 0; i < 20; i++)
            {
                s.AddFile($"Docs/f{i}", [1]);
            }

            s.AddFile("Other/x", [1]);
        });
        var docs = await mount.WalkAsync("alice/Docs");
        var other = await mount.WalkAsync("alice/Other");
        mount.Alice.Latency = TimeSpan.FromMilliseconds(200);
        var before = mount.Alice.ListRequests;
        var listing = await mount.Vfs.OpenDirectoryAsync(docs.Node, CancellationToken.None);
        mount.Vfs.ReleaseDirectory(listing);
        Assert.Equal(before + 1, mount.Alice.ListRequests);

        // A fresh directory (never listed): 20 concurrent lookups, one RPC.
        before = mount.Alice.ListRequests;
        var lookups = Enumerable.Range(0, 20).Select(i => mount.Vfs.LookupAsync(other.Node, i == 0 ? "x" : $"nope{i}", CancellationToken.None).AsTask()).ToArray();
        await Task.WhenAll(lookups.Select(async t =>
        {
            try
            {
                await t;
            }
            catch (VfsException e) when (e.Error == VfsError.NotFound)
            {
            }
        }));

        Assert.Equal(before + 1, mount.Alice.ListRequests);
        Assert.True(lookups[0].IsCompletedSuccessfully);
    }

    [Fact]
    public async Task ReadDirectoryPlus_EntriesCarryLookups_PlainReadDirectoryDoesNot()
    {
        await using var mount = TestMount.WithPeer(s =>
        {
            s.AddFile("Docs/a", [1]);
            s.AddFile("Docs/b", [2, 2]);
        });
        var docs = await mount.WalkAsync("alice/Docs");

        var plain = (await mount.ListAsync(docs.Node)).Skip(2).ToList();
        foreach (var entry in plain)
        {
            var error = await Assert.ThrowsAsync<VfsException>(async () => await mount.Vfs.GetAttributesAsync(entry.Entry.Node, CancellationToken.None));
            Assert.Equal(VfsError.NotFound, error.Error);
        }

        var plus = (await mount.ListAsync(docs.Node, plus: true)).Skip(2).ToList();
        Assert.Equal(plain.Select(e => e.Entry.Node), plus.Select(e => e.Entry.Node));
        var b = await mount.Vfs.GetAttributesAsync(plus[1].Entry.Node, CancellationToken.None);
        Assert.Equal(2, b.Size);

        mount.Vfs.Forget(plus[1].Entry.Node, 1);
        var gone = await Assert.ThrowsAsync<VfsException>(async () => await mount.Vfs.GetAttributesAsync(plus[1].Entry.Node, CancellationToken.None));
        Assert.Equal(VfsError.NotFound, gone.Error);
    }

    [Fact]
    public async Task TypeMismatch_FileAsDirectoryAndDirectoryAsFile_Rejected()
    {
        await using var mount = TestMount.WithPeer(s => s.AddFile("Docs/a", [1]));
        var file = await mount.WalkAsync("alice/Docs/a");
        var docs = await mount.WalkAsync("alice/Docs");

        Assert.Equal(VfsError.NotADirectory, (await Assert.ThrowsAsync<VfsException>(async () => await mount.Vfs.LookupAsync(file.Node, "x", CancellationToken.None))).Error);
        Assert.Equal(VfsError.NotADirectory, (await Assert.ThrowsAsync<VfsException>(async () => await mount.Vfs.OpenDirectoryAsync(file.Node, CancellationToken.None))).Error);
        Assert.Equal(VfsError.IsADirectory, (await Assert.ThrowsAsync<VfsException>(async () => await mount.Vfs.OpenFileAsync(docs.Node, CancellationToken.None))).Error);
        Assert.Equal(VfsError.IsADirectory, (await Assert.ThrowsAsync<VfsException>(async () => await mount.Vfs.OpenFileAsync(VirtualFileSystem.RootNode, CancellationToken.None))).Error);
        Assert.Equal(VfsError.NotFound, (await Assert.ThrowsAsync<VfsException>(async () => await mount.Vfs.LookupAsync(docs.Node, "a/b", CancellationToken.None))).Error);
        Assert.Equal(VfsError.NotFound, (await Assert.ThrowsAsync<VfsException>(async () => await mount.Vfs.LookupAsync(docs.Node, "..", CancellationToken.None))).Error);
    }

    [Fact]
    public async Task Listing_HostileEntries_IgnoredValidOnesShown()
    {
        await using var mount = TestMount.WithPeer(s =>
        {
            s.AddFile("Docs/good", [1]);
            s.AddExtraListingEntry(new RemoteEntry(SharePath.Parse("Elsewhere/evil"), 1, false, 0));
            s.AddExtraListingEntry(new RemoteEntry(SharePath.Parse("Docs/negative"), -5, false, 0));
            s.AddExtraListingEntry(new RemoteEntry(SharePath.Parse("Docs/good"), 999, false, 0));
            s.AddExtraListingEntry(new RemoteEntry(SharePath.Root, 1, true, 0));
        });
        var docs = await mount.WalkAsync("alice/Docs");

        var entries = (await mount.ListAsync(docs.Node)).Skip(2).ToList();

        var only = Assert.Single(entries);
        Assert.Equal(("good", 1L), (only.Name, only.Entry.Attributes.Size));
    }

    [Fact]
    public async Task Listing_MoreEntriesThanAllowed_IoError()
    {
        await using var mount = TestMount.WithPeer(
            s =>
            {
                for (var i = 0; i < 11; i++)
                {
                    s.AddFile($"Docs/f{i}", [1]);
                }
            },
            new VfsOptions { RequestTimeout = TimeSpan.FromSeconds(1), MaxDirectoryEntries = 10 });
        var docs = await mount.WalkAsync("alice/Docs");

        var error = await Assert.ThrowsAsync<VfsException>(async () => await mount.Vfs.OpenDirectoryAsync(docs.Node, CancellationToken.None));

        Assert.Equal(VfsError.IoError, error.Error);
    }

    [Fact]
    public async Task Listing_FileRemovedRemotely_AfterTtlNotFoundAndEntryInvalidated()
    {
        var time = new ManualTimeProvider();
        await using var mount = TestMount.WithPeer(
            s =>
            {
                s.AddFile("Docs/a", [1]);
                s.AddFile("Docs/b", [1]);
            },
            time: time);
        var docs = await mount.WalkAsync("alice/Docs");
        var a = await mount.WalkAsync("alice/Docs/a");

        mount.Alice.Remove("Docs/a");
        time.Advance(mount.Vfs.Options.ListingTtl + TimeSpan.FromSeconds(1));

        var error = await Assert.ThrowsAsync<VfsException>(async () => await mount.Vfs.GetAttributesAsync(a.Node, CancellationToken.None));
        Assert.Equal(VfsError.NotFound, error.Error);
        Assert.Contains(new VfsInvalidation(VfsInvalidationKind.Entry, docs.Node, "a"), mount.Invalidations);
        Assert.Contains(new VfsInvalidation(VfsInvalidationKind.Node, docs.Node, null), mount.Invalidations);
    }

    [Fact]
    public async Task Listing_DirectoryRemovedRemotelyWhileParentCached_NotFound()
    {
        await using var mount = TestMount.WithPeer(s => s.AddFile("Docs/Sub/a", [1]));
        var sub = await mount.WalkAsync("alice/Docs/Sub");

        mount.Alice.Remove("Docs/Sub");

        var error = await Assert.ThrowsAsync<VfsException>(async () => await mount.Vfs.OpenDirectoryAsync(sub.Node, CancellationToken.None));
        Assert.Equal(VfsError.NotFound, error.Error);
    }

    [Fact]
    public async Task Listing_PeerAnswersError_IoError()
    {
        await using var mount = TestMount.WithPeer(s => s.AddFile("Docs/a", [1]));
        var peer = await mount.WalkAsync("alice");
        mount.Alice.FailWith = RemoteError.Internal;

        var error = await Assert.ThrowsAsync<VfsException>(async () => await mount.Vfs.LookupAsync(peer.Node, "Docs", CancellationToken.None));

        Assert.Equal(VfsError.IoError, error.Error);
    }

    [Fact]
    public async Task TryLookup_MissingNames_NullWithoutExceptionOrRpcOrNode()
    {
        await using var mount = TestMount.WithPeer(s => s.AddFile("Docs/a.txt", [1, 2]));
        var docs = await mount.WalkAsync("alice/Docs");
        Assert.Single(await mount.NamesAsync(docs.Node));
        var lists = mount.Alice.ListRequests;
        var nodes = mount.Vfs.NodeCount;

        Assert.Null(await mount.Vfs.TryLookupAsync(docs.Node, "nope.txt", CancellationToken.None));
        Assert.Null(await mount.Vfs.TryLookupAsync(docs.Node, "..", CancellationToken.None));
        Assert.Null(await mount.Vfs.TryLookupAsync(VirtualFileSystem.RootNode, "nobody", CancellationToken.None));
        var found = await mount.Vfs.TryLookupAsync(docs.Node, "a.txt", CancellationToken.None);

        Assert.Equal(lists, mount.Alice.ListRequests);
        Assert.Equal(nodes + 1, mount.Vfs.NodeCount);
        Assert.NotNull(found);
        Assert.Equal(2, found.Value.Attributes.Size);
        Assert.Equal(found.Value.Node, (await mount.Vfs.LookupAsync(docs.Node, "a.txt", CancellationToken.None)).Node);
        Assert.Equal(VfsError.NotFound, (await Assert.ThrowsAsync<VfsException>(async () => await mount.Vfs.LookupAsync(docs.Node, "nope.txt", CancellationToken.None))).Error);
    }

    [Fact]
    public async Task TryLookup_FileAsDirectory_StillThrowsNotADirectory()
    {
        await using var mount = TestMount.WithPeer(s => s.AddFile("Docs/a.txt", [1]));
        var file = await mount.WalkAsync("alice/Docs/a.txt");

        var error = await Assert.ThrowsAsync<VfsException>(async () => await mount.Vfs.TryLookupAsync(file.Node, "x", CancellationToken.None));

        Assert.Equal(VfsError.NotADirectory, error.Error);
    }

    [Fact]
    public async Task Listing_PeerSendsNamesOutOfOrder_ServedSortedWithLookupsByName()
    {
        await using var mount = TestMount.WithPeer(s =>
        {
            s.AddFile("Docs/b", [1]);
            s.AddExtraListingEntry(new RemoteEntry(SharePath.Parse("Docs/a"), 5, false, 0)); // appended after "b"
            s.AddExtraListingEntry(new RemoteEntry(SharePath.Parse("Docs/sub/deep"), 5, false, 0)); // not a child
        });
        var docs = await mount.WalkAsync("alice/Docs");

        Assert.Equal(["a", "b"], await mount.NamesAsync(docs.Node));
        Assert.Equal(5, (await mount.Vfs.LookupAsync(docs.Node, "a", CancellationToken.None)).Attributes.Size);
        Assert.Null(await mount.Vfs.TryLookupAsync(docs.Node, "deep", CancellationToken.None));
    }
}

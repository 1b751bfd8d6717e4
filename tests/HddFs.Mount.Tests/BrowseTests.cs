using System.Globalization;
using HddFs.Testing;

namespace HddFs.Mount.Tests;

/// <summary>What a user browsing the mount sees, compared with the fake peers' trees written to a real
/// local directory: names, types, sizes, mtimes and bytes, with both block caches.</summary>
public sealed class BrowseTests
{
    // find's view of a tree: type, size of files (directory sizes are cumulative on hddfs), mtime to the ns.
    private static readonly string[] FindFormat = ["-mindepth", "1", "(", "-type", "f", "-printf", "%y %s %T@ %P\\n", ")", "-o", "(", "-type", "d", "-printf", "%y %T@ %P\\n", ")"];

    [SystemFact(Needs.Fuse)]
    public async Task Root_ListsOnePeerDirectoryPerPeer()
    {
        await using var party = await MountedParty.StartAsync();

        var names = Directory.GetFileSystemEntries(party.Root).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(["alice", "bob", "me"], names);
        Assert.All(names, name => Assert.True(Directory.Exists(party[name!])));
        Assert.Equal(["Docs", "Music", "Photos"], Directory.GetDirectories(party["alice"]).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [SystemTheory(Needs.Fuse)]
    [InlineData(CacheKind.InMemory)]
    [InlineData(CacheKind.Disk)]
    public async Task Find_NamesTypesSizesAndMtimes_EqualTheFakeTree(CacheKind cache)
    {
        await using var party = await MountedParty.StartAsync(cache);
        var local = Path.Combine(party.Scratch, "alice");
        TestTree.Alice.Materialize(local);

        var expected = (await Shell.RunAsync("find", [local, .. FindFormat], TimeSpan.FromSeconds(30))).EnsureSuccess("find local").Output;
        var actual = (await Shell.RunAsync("find", [party["alice"], .. FindFormat], TimeSpan.FromSeconds(30))).EnsureSuccess("find mount").Output;

        Assert.Equal(Sorted(expected), Sorted(actual));
        var listing = (await Shell.RunAsync("ls", "-lR", party["alice"])).EnsureSuccess("ls -lR");
        Assert.Contains("ünïcödé – ok.txt", listing.Output, StringComparison.Ordinal);
        Assert.Contains("-r--r--r-- 1", listing.Output, StringComparison.Ordinal);
        Assert.Contains("dr-xr-xr-x 1", listing.Output, StringComparison.Ordinal);
    }

    [SystemTheory(Needs.Fuse)]
    [InlineData(CacheKind.InMemory)]
    [InlineData(CacheKind.Disk)]
    public async Task Sha256sum_OfEveryFile_EqualsTheContent(CacheKind cache)
    {
        await using var party = await MountedParty.StartAsync(cache);
        foreach (var (peer, tree) in new[] { ("alice", TestTree.Alice), ("bob", TestTree.Bob), ("me", TestTree.Me) })
        {
            foreach (var file in tree.Files)
            {
                var result = (await Shell.RunAsync("sha256sum", Path.Combine(party.Root, peer, file.Path))).EnsureSuccess("sha256sum");
                Assert.Equal(file.Sha256, result.Output.Split(' ')[0]);
            }
        }

        Assert.Equal("Hello from me\n", await File.ReadAllTextAsync(party["me/Public/hello.txt"]));
    }

    [SystemTheory(Needs.Fuse)]
    [InlineData(CacheKind.InMemory)]
    [InlineData(CacheKind.Disk)]
    public async Task Dd_Of64MiBFile_MatchesAndIsServedAgainWithoutThePeer(CacheKind cache)
    {
        await using var party = await MountedParty.StartAsync(cache);
        var content = FakeRemoteShares.Pattern(64 << 20, 64);
        party.Bob.AddFile("Videos/big.bin", content);
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content));
        var path = party["bob/Videos/big.bin"];

        var first = (await Shell.ShAsync($"dd if='{path}' bs=1M status=none | sha256sum")).EnsureSuccess("dd | sha256sum");
        Assert.Equal(expected, first.Output.Split(' ')[0]);
        Assert.Equal(64L << 20, new FileInfo(path).Length);

        // Every byte is in the block cache now: drop the kernel's pages and read again with bob gone quiet.
        party.Party.SetConnected(party.Bob.Peer, false);
        (await Shell.RunAsync("dd", $"if={path}", "iflag=nocache", "count=0", "status=none")).EnsureSuccess("fadvise DONTNEED");
        party.Bob.ResetCounters();
        var second = (await Shell.ShAsync($"dd if='{path}' bs=1M status=none | sha256sum")).EnsureSuccess("dd again");
        Assert.Equal(expected, second.Output.Split(' ')[0]);
        Assert.Equal(0, party.Bob.ReadRequests);
    }

    [SystemFact(Needs.Fuse)]
    public async Task ConcurrentRandomReads_OnOneHandle_ReturnTheRightBytes()
    {
        await using var party = await MountedParty.StartAsync(CacheKind.Disk);
        var content = TestTree.Bob["Videos/clip.bin"].Content;
        using var handle = File.OpenHandle(party["bob/Videos/clip.bin"]);

        await Parallel.ForEachAsync(Enumerable.Range(0, 8), async (worker, cancellationToken) =>
        {
            var random = new Random(worker);
            var buffer = new byte[200_000];
            for (var i = 0; i < 40; i++)
            {
                var offset = random.NextInt64(content.Length + 1000);
                var read = await RandomAccess.ReadAsync(handle, buffer, offset, cancellationToken);
                var expected = (int)Math.Clamp(content.Length - offset, 0, buffer.Length);
                Assert.Equal(expected, read);
                Assert.True(buffer.AsSpan(0, read).SequenceEqual(content.AsSpan((int)Math.Min(offset, content.Length), read)), $"bytes at {offset} differ");
            }
        });
    }

    [SystemFact(Needs.Fuse)]
    public async Task CpR_OutOfTheMount_EqualsTheSource()
    {
        await using var party = await MountedParty.StartAsync(CacheKind.Disk);
        var expected = Path.Combine(party.Scratch, "expected");
        TestTree.Alice.Materialize(Path.Combine(expected, "alice"));
        TestTree.Bob.Materialize(Path.Combine(expected, "bob"));
        var copy = Path.Combine(party.Scratch, "copy");
        Directory.CreateDirectory(copy);

        (await Shell.RunAsync("cp", "-r", party["alice"], party["bob"], copy)).EnsureSuccess("cp -r");

        var diff = await Shell.RunAsync("diff", "-r", expected, copy);
        Assert.True(diff.Exit == 0, diff.Output + diff.Errors);
        Assert.True(Directory.Exists(Path.Combine(copy, "alice", "Photos", "empty")));
    }

    [SystemFact(Needs.Fuse)]
    public async Task RsyncA_OutOfTheMount_CopiesBytesAndMtimes()
    {
        await using var party = await MountedParty.StartAsync();
        var expected = Path.Combine(party.Scratch, "expected");
        TestTree.Alice.Materialize(expected);
        var copy = Path.Combine(party.Scratch, "rsynced");

        (await Shell.RunAsync("rsync", "-a", party["alice"] + "/", copy + "/")).EnsureSuccess("rsync -a");

        var diff = await Shell.RunAsync("diff", "-r", expected, copy);
        Assert.True(diff.Exit == 0, diff.Output + diff.Errors);
        foreach (var file in TestTree.Alice.Files)
        {
            var mtime = new DateTimeOffset(File.GetLastWriteTimeUtc(Path.Combine(copy, file.Path))).ToUnixTimeSeconds();
            Assert.Equal(file.ModifiedUnixMs / 1000, mtime);
        }

        // A second run finds nothing to copy (sizes and mtimes match what the mount reports).
        var again = (await Shell.RunAsync("rsync", "-a", "--itemize-changes", party["alice"] + "/", copy + "/")).EnsureSuccess("rsync again");
        Assert.DoesNotContain(">f", again.Output, StringComparison.Ordinal);
    }

    [SystemFact(Needs.Fuse)]
    public async Task Stat_MissingName_IsEnoentAndCachedAsNegative()
    {
        await using var party = await MountedParty.StartAsync();

        Assert.False(File.Exists(party["alice/Docs/nothere.txt"]));
        Assert.False(Directory.Exists(party["nobody"]));
        Assert.Equal(Libc.ENOENT, Libc.Access(party["alice/Docs/nothere.txt"], Libc.R_OK));

        // The name appears on the peer: visible once the negative entry and the listing have expired.
        party.Alice.AddFile("Docs/nothere.txt", "now here\n"u8.ToArray());
        Assert.True(SpinWait.SpinUntil(() => File.Exists(party["alice/Docs/nothere.txt"]), TimeSpan.FromSeconds(10)));
        Assert.Equal("now here\n", await File.ReadAllTextAsync(party["alice/Docs/nothere.txt"]));
    }

    [SystemFact(Needs.Fuse)]
    public async Task StatFs_ReportsTheKnownSizeAndNothingFree()
    {
        await using var party = await MountedParty.StartAsync();
        _ = Directory.GetDirectories(party["alice"]); // lists alice's shares

        var df = (await Shell.RunAsync("stat", "-f", "-c", "%S %b %f %a %T", party.Root)).EnsureSuccess("stat -f").Output.Trim().Split(' ');

        var blockSize = long.Parse(df[0], CultureInfo.InvariantCulture);
        var total = TestTree.Alice.Files.Sum(f => (long)f.Content.Length);
        Assert.Equal((total + blockSize - 1) / blockSize, long.Parse(df[1], CultureInfo.InvariantCulture));
        Assert.Equal("0", df[2]);
        Assert.Equal("0", df[3]);
    }

    private static List<string> Sorted(string lines) => lines.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal).ToList();
}

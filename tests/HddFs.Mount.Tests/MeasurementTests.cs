using System.Diagnostics;
using System.Globalization;
using HddFs.Testing;
using HddFs.Vfs;
using Xunit.Abstractions;

namespace HddFs.Mount.Tests;

/// <summary>The numbers in README.md, measured on a fake peer (no network): `ls -l` of 10,000 entries,
/// dd of 1 GiB cold and warm, EIO latency with the default timeouts. Run with HDDFS_MEASURE=1.</summary>
public sealed class MeasurementTests(ITestOutputHelper output)
{
    private const int Entries = 10_000;

    [MeasureFact(Needs.Fuse)]
    public async Task LsL_Of10kEntries_ColdAndWarm_WithAndWithoutXattrs()
    {
        foreach (var xattrs in new[] { true, false })
        {
            var cold = new List<double>();
            var warm = new List<double>();
            long getxattrs = 0;
            for (var round = 0; round < 5; round++)
            {
                await using var party = await MountedParty.StartAsync(vfsOptions: DefaultOptions(), mountOptions: new PartyMountOptions { ExtendedAttributes = xattrs }, fill: false);
                party.Alice.PageSize = 1000;
                for (var i = 0; i < Entries; i++)
                {
                    party.Alice.AddFile($"Big/many/file-{i:D5}.txt", new byte[100]);
                }

                var directory = party["alice/Big/many"];
                var first = await Shell.RunAsync("sh", ["-c", $"ls -l '{directory}' > /dev/null"], TimeSpan.FromSeconds(60));
                first.EnsureSuccess("ls -l cold");
                var before = party.Mount.Adapter.GetXAttrCalls;
                var second = await Shell.RunAsync("sh", ["-c", $"ls -l '{directory}' > /dev/null"], TimeSpan.FromSeconds(60));
                second.EnsureSuccess("ls -l warm");
                getxattrs = party.Mount.Adapter.GetXAttrCalls - before;
                cold.Add(first.Elapsed.TotalMilliseconds);
                warm.Add(second.Elapsed.TotalMilliseconds);
                Assert.Equal(Entries, Directory.EnumerateFiles(directory).Count());
            }

            output.WriteLine($"ls -l {Entries} entries, xattrs {(xattrs ? "on" : "off")}: cold median {Median(cold):0} ms [{string.Join(", ", cold.Select(v => v.ToString("0", CultureInfo.InvariantCulture)))}], warm median {Median(warm):0} ms [{string.Join(", ", warm.Select(v => v.ToString("0", CultureInfo.InvariantCulture)))}], GETXATTR per warm ls -l: {getxattrs}");
        }
    }

    [MeasureFact(Needs.Fuse)]
    public async Task VfsAlone_ListingOf10kEntries_WhatTheKernelWouldAsk()
    {
        var times = new List<double>();
        for (var round = 0; round < 5; round++)
        {
            await using var party = await UnmountedParty(Entries);
            var watch = Stopwatch.StartNew();
            var node = VirtualFileSystem.RootNode;
            foreach (var name in new[] { "alice", "Big", "many" })
            {
                node = (await party.Vfs.LookupAsync(node, name, CancellationToken.None)).Node;
            }

            var handle = await party.Vfs.OpenDirectoryAsync(node, CancellationToken.None);
            long offset = 0;
            var count = 0;
            while (true)
            {
                var batch = await party.Vfs.ReadDirectoryPlusAsync(handle, offset, 25, CancellationToken.None);
                if (batch.Count == 0)
                {
                    break;
                }

                count += batch.Count;
                offset = batch[^1].NextOffset;
            }

            party.Vfs.ReleaseDirectory(handle);
            times.Add(watch.Elapsed.TotalMilliseconds);
            Assert.Equal(Entries + 2, count);
        }

        var fakeTimes = new List<double>();
        await using (var bare = await UnmountedParty(Entries))
        {
            var shares = (FakeRemoteShares)bare.Shares;
            for (var round = 0; round < 5; round++)
            {
                var watch = Stopwatch.StartNew();
                var listed = 0;
                await foreach (var page in shares.ListAsync(new HddFs.Core.LsQuery(HddFs.Core.SharePath.Parse("Big/many")), CancellationToken.None))
                {
                    listed += page.Count;
                }

                fakeTimes.Add(watch.Elapsed.TotalMilliseconds);
                Assert.Equal(Entries, listed);
            }
        }

        output.WriteLine($"the fake peer's listing alone: median {Median(fakeTimes):0} ms");
        output.WriteLine($"VFS alone (fake peer, no kernel): lookup ×3 + opendir + readdirplus of {Entries} entries in batches of 25: median {Median(times):0} ms [{string.Join(", ", times.Select(v => v.ToString("0", CultureInfo.InvariantCulture)))}]");
    }

    [MeasureFact(Needs.Fuse)]
    public async Task LsL_XattrNamesTheKernelForwards()
    {
        await using var party = await MountedParty.StartAsync(vfsOptions: DefaultOptions(), mountOptions: new PartyMountOptions { TraceRequests = true });
        (await Shell.RunAsync("ls", "-l", party["alice/Docs"])).EnsureSuccess("ls -l");
        (await Shell.RunAsync("ls", "-l", party["alice/Docs"])).EnsureSuccess("ls -l");
        foreach (var line in party.Logs.Entries.Select(e => e.Message).Where(m => m.Contains("XATTR", StringComparison.Ordinal) && m.StartsWith("<-", StringComparison.Ordinal)))
        {
            output.WriteLine(line);
        }
    }

    [MeasureFact(Needs.Fuse)]
    public async Task Dd_Of1GiB_ColdIntoTheMemoryStore()
    {
        await using var party = await MountedParty.StartAsync(CacheKind.InMemory, DefaultOptions(), blockSize: 1 << 20, fill: false);
        party.Bob.AddFile("Videos/1g.bin", FakeRemoteShares.Pattern(1 << 30, 7));
        var cold = await DdAsync(party["bob/Videos/1g.bin"]);
        output.WriteLine($"dd 1 GiB bs=1M: cold (fake peer → InMemoryBlockStore) {cold}");
    }

    [MeasureFact(Needs.Fuse)]
    public async Task Dd_Of1GiB_ColdFromThePeer_WarmFromTheDiskCache()
    {
        await using var party = await MountedParty.StartAsync(CacheKind.Disk, DefaultOptions(), cacheCapacity: 2L << 30, blockSize: 1 << 20, fill: false);
        party.Bob.AddFile("Videos/1g.bin", FakeRemoteShares.Pattern(1 << 30, 7));
        var path = party["bob/Videos/1g.bin"];

        var cold = await DdAsync(path);
        (await Shell.RunAsync("dd", $"if={path}", "iflag=nocache", "count=0", "status=none")).EnsureSuccess("drop pages");
        party.Bob.ResetCounters();
        var warm = await DdAsync(path);
        Assert.Equal(0, party.Bob.ReadRequests);
        (await Shell.RunAsync("dd", $"if={path}", "iflag=nocache", "count=0", "status=none")).EnsureSuccess("drop pages");
        var warm2 = await DdAsync(path);
        var pageCache = await DdAsync(path);
        output.WriteLine($"dd 1 GiB bs=1M: cold (fake peer → DiskBlockCache) {cold}, warm (DiskBlockCache) {warm} / {warm2}, page cache (KEEP_CACHE) {pageCache}");
    }

    [MeasureFact(Needs.Fuse)]
    public async Task EioLatency_OfflineAndHangingPeer_DefaultTimeouts()
    {
        await using var party = await MountedParty.StartAsync(vfsOptions: DefaultOptions());
        Assert.True(File.Exists(party["alice/Docs/uncached.bin"]));
        party.Party.SetConnected(party.Alice.Peer, false);
        var offline = Stopwatch.StartNew();
        Assert.Equal(-Libc.EIO, Libc.ReadAt(party["alice/Docs/uncached.bin"], 0, new byte[4096]));
        output.WriteLine($"EIO, offline peer: pread {offline.Elapsed.TotalMilliseconds:0.0} ms");

        foreach (var (mode, stalled) in new[] { ("no answer", false), ("stalled body", true) })
        {
            foreach (var tool in new[] { "pread", "dd" })
            {
                await using var hung = await MountedParty.StartAsync(vfsOptions: DefaultOptions());
                var file = hung["bob/Videos/clip.bin"];
                Assert.True(File.Exists(file) && File.Exists(hung["bob/Share/other.bin"]));
                hung.Bob.Hang = !stalled;
                hung.Bob.HangBodies = stalled;
                var watch = Stopwatch.StartNew();
                if (tool == "pread")
                {
                    Assert.Equal(-Libc.EIO, Libc.ReadAt(file, 0, new byte[4096]));
                }
                else
                {
                    Assert.NotEqual(0, (await Shell.RunAsync("dd", [$"if={file}", "of=/dev/null", "bs=1M"], TimeSpan.FromSeconds(60))).Exit);
                }

                var first = watch.Elapsed;
                watch.Restart();
                Assert.Equal(-Libc.EIO, Libc.ReadAt(hung["bob/Share/other.bin"], 0, new byte[4096]));
                output.WriteLine($"EIO, hanging peer ({mode}), {tool}: {first.TotalMilliseconds:0} ms (RequestTimeout 5 s); next uncached file (fail-fast): {watch.Elapsed.TotalMilliseconds:0.0} ms");
            }
        }
    }

    private static Task<UnmountedVfs> UnmountedParty(int entries)
    {
        var shares = new FakeRemoteShares(FakeRemoteShares.NewPeerId(2)) { PageSize = 1000 };
        for (var i = 0; i < entries; i++)
        {
            shares.AddFile($"Big/many/file-{i:D5}.txt", new byte[100]);
        }

        return UnmountedVfs.CreateAsync(shares, DefaultOptions());
    }

    private static VfsOptions DefaultOptions() => new() { Uid = MountedParty.CurrentUid(), Gid = MountedParty.CurrentUid() };

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private static async Task<string> DdAsync(string path)
    {
        var result = (await Shell.RunAsync("dd", [$"if={path}", "of=/dev/null", "bs=1M"], TimeSpan.FromMinutes(5))).EnsureSuccess("dd");
        return result.Errors.Trim().Split('\n')[^1].Split(',')[^1].Trim() + $" ({result.Elapsed.TotalSeconds:0.00} s)";
    }
}

using System.Diagnostics;
using System.Globalization;
using HddFs.Cache;
using HddFs.Core;
using HddFs.Testing;
using HddFs.Vfs;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace HddFs.Mount.Tests;

/// <summary>
/// The VFS's read path alone (no kernel): a sequential reader keeping 4 reads of 1 MiB in flight, as the
/// kernel's async readahead does, over a fake peer without and with a slow link (PacedShares), into the
/// in-memory store and into DiskBlockCache; then the same file warm from DiskBlockCache through a new VFS
/// (a daemon restart); and the time to the first 4 KiB of cold files on a link with a per-request delay.
/// Run with HDDFS_MEASURE=1 (HDDFS_MEASURE_MB sets the file size, default 512).
/// </summary>
public sealed class ReadPathMeasurements(ITestOutputHelper output)
{
    private const int BlockSize = 1 << 20;
    private const int ReadSize = 1 << 20;
    private const int ReadsInFlight = 4;

    private static int FileMegabytes => int.TryParse(Environment.GetEnvironmentVariable("HDDFS_MEASURE_MB"), CultureInfo.InvariantCulture, out var mb) ? mb : 512;

    [MeasureFact(Needs.Fuse)]
    public async Task VfsAlone_ColdIntoMemoryAndDisk_ThenWarmFromDisk()
    {
        var content = FakeRemoteShares.Pattern(FileMegabytes << 20, seed: 5);
        using var directory = new TempDirectory("hddfs-readpath");
        foreach (var round in new[] { 1, 2 })
        {
            var memory = await ReadColdAsync(content, new InMemoryBlockStore(BlockSize, 4L << 30), latency: TimeSpan.Zero, bytesPerSecond: 0);
            output.WriteLine($"round {round}: cold, fake peer → InMemoryBlockStore: {memory}");

            var cacheDirectory = directory.Combine($"cache{round}");
            using (var disk = new DiskBlockCache(cacheDirectory, 4L << 30, NullLogger.Instance, TimeProvider.System, BlockSize))
            {
                output.WriteLine($"round {round}: cold, fake peer → DiskBlockCache: {await ReadColdAsync(content, disk, TimeSpan.Zero, 0)}");
            }

            using (var disk = new DiskBlockCache(cacheDirectory, 4L << 30, NullLogger.Instance, TimeProvider.System, BlockSize))
            {
                output.WriteLine($"round {round}: warm, DiskBlockCache (blocks in the page cache), new VFS: {await ReadColdAsync(content, disk, TimeSpan.Zero, 0, expectNoRequests: true)}");
            }

            using (var disk = new DiskBlockCache(directory.Combine($"paced{round}"), 4L << 30, NullLogger.Instance, TimeProvider.System, BlockSize))
            {
                output.WriteLine($"round {round}: cold, 5 ms per request + 400 MB/s per request → DiskBlockCache: {await ReadColdAsync(content, disk, TimeSpan.FromMilliseconds(5), 400_000_000)}");
            }
        }
    }

    [MeasureFact(Needs.Fuse)]
    public async Task VfsAlone_TimeToFirstByte_FiveMillisecondsPerRequest()
    {
        var shares = new FakeRemoteShares(FakeRemoteShares.NewPeerId(2));
        for (var i = 0; i < 7; i++)
        {
            shares.AddFile($"Big/first/file{i}.bin", FakeRemoteShares.Pattern(4 << 20, seed: 40 + i));
        }

        // 5 ms before each header, then 50 MB/s: the whole first request (1 MiB + 128 KiB) takes ~28 ms.
        var paced = new PacedShares(shares) { RequestLatency = TimeSpan.FromMilliseconds(5), BytesPerSecond = 50_000_000 };
        var party = new FakeParty();
        party.Add(paced, "alice");
        await using var vfs = new VirtualFileSystem(party, new InMemoryBlockStore(BlockSize, 1L << 30), new VfsOptions(), NullLoggerFactory.Instance, TimeProvider.System);
        var directory = VirtualFileSystem.RootNode;
        foreach (var name in new[] { "alice", "Big", "first" })
        {
            directory = (await vfs.LookupAsync(directory, name, CancellationToken.None)).Node;
        }

        var times = new List<double>();
        var buffer = new byte[4096];
        for (var i = 0; i < 7; i++)
        {
            var watch = Stopwatch.StartNew();
            var node = (await vfs.LookupAsync(directory, $"file{i}.bin", CancellationToken.None)).Node;
            var open = await vfs.OpenFileAsync(node, CancellationToken.None);
            Assert.Equal(4096, await vfs.ReadAsync(open.Handle, 0, buffer, CancellationToken.None));
            times.Add(watch.Elapsed.TotalMilliseconds);
            vfs.ReleaseFile(open.Handle);
            Assert.Equal(shares.Content($"Big/first/file{i}.bin").AsSpan(0, 4096).ToArray(), buffer);
        }

        output.WriteLine($"time to first 4 KiB (lookup + open + read), 5 ms per request + 50 MB/s: median {Median(times):0.0} ms [{string.Join(", ", times.Select(t => t.ToString("0.0", CultureInfo.InvariantCulture)))}]");
    }

    private static async Task<string> ReadColdAsync(byte[] content, IBlockStore cache, TimeSpan latency, long bytesPerSecond, bool expectNoRequests = false)
    {
        var shares = new FakeRemoteShares(FakeRemoteShares.NewPeerId(2));
        shares.AddFile("Videos/big.bin", content);
        var paced = new PacedShares(shares) { RequestLatency = latency, BytesPerSecond = bytesPerSecond, ChunkBytes = 64 * 1024 };
        var party = new FakeParty();
        party.Add(paced, "alice");
        await using var vfs = new VirtualFileSystem(party, cache, new VfsOptions(), NullLoggerFactory.Instance, TimeProvider.System);
        var node = VirtualFileSystem.RootNode;
        foreach (var name in new[] { "alice", "Videos", "big.bin" })
        {
            node = (await vfs.LookupAsync(node, name, CancellationToken.None)).Node;
        }

        var open = await vfs.OpenFileAsync(node, CancellationToken.None);
        var buffers = Enumerable.Range(0, ReadsInFlight).Select(_ => new byte[ReadSize]).ToArray();
        var inFlight = new Queue<(long Offset, byte[] Buffer, Task<int> Read)>();
        var watch = Stopwatch.StartNew();
        long next = 0;
        var slot = 0;
        var verified = 0;
        while (next < content.Length || inFlight.Count > 0)
        {
            while (inFlight.Count < ReadsInFlight && next < content.Length)
            {
                var buffer = buffers[slot++ % ReadsInFlight];
                inFlight.Enqueue((next, buffer, vfs.ReadAsync(open.Handle, next, buffer, CancellationToken.None).AsTask()));
                next += ReadSize;
            }

            var (offset, done, read) = inFlight.Dequeue();
            var n = await read;
            if (verified++ % 64 == 0)
            {
                Assert.True(content.AsSpan((int)offset, n).SequenceEqual(done.AsSpan(0, n)), $"wrong bytes at {offset}");
            }
        }

        var elapsed = watch.Elapsed;
        vfs.ReleaseFile(open.Handle);
        if (expectNoRequests)
        {
            Assert.Equal(0, shares.ReadRequests);
        }

        return $"{content.Length / elapsed.TotalSeconds / 1e6:0} MB/s ({elapsed.TotalSeconds:0.00} s, {shares.BytesServed >> 20} MiB fetched, {shares.ReadRequests} requests)";
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
}

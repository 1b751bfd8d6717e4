using HddFs.Testing;
using Xunit.Abstractions;

namespace HddFs.Vfs.Tests;

public sealed class PrefetchTests(ITestOutputHelper output)
{
    private const int Block = TestMount.BlockSize;
    private const int ReadSize = 128 * 1024;

    // The request deadline is far beyond every wait here, so only a seek or a close can cancel a request.
    private static VfsOptions Options(long maxWindow = 64L << 20, long memory = 64L << 20)
        => new() { RequestTimeout = TimeSpan.FromMinutes(2), PrefetchMaxWindow = maxWindow, MemoryBufferBytes = memory };

    // Reads the file sequentially; returns how many reads had to wait for the network.
    private static async Task<int> ReadSequentiallyCountingWaitsAsync(TestMount mount, ulong node, byte[] expected)
    {
        var open = await mount.Vfs.OpenFileAsync(node, CancellationToken.None);
        var buffer = new byte[ReadSize];
        var waits = 0;
        for (long offset = 0; offset < expected.Length; offset += ReadSize)
        {
            var read = mount.Vfs.ReadAsync(open.Handle, offset, buffer, CancellationToken.None);
            if (!read.IsCompleted)
            {
                waits++;
            }

            var n = await read;
            Assert.Equal(expected.AsSpan((int)offset, n).ToArray(), buffer.AsSpan(0, n).ToArray());
        }

        mount.Vfs.ReleaseFile(open.Handle);
        return waits;
    }

    [Fact]
    public async Task SequentialRead_WithPrefetch_FarFewerWaitsThanWithout()
    {
        var content = FakeRemoteShares.Pattern(8 << 20, seed: 3);
        var waits = new Dictionary<bool, int>();
        foreach (var prefetch in new[] { false, true })
        {
            await using var mount = TestMount.WithPeer(s => s.AddFile("Films/f.mkv", content), Options(prefetch ? 64L << 20 : 0));
            var file = await mount.WalkAsync("alice/Films/f.mkv");
            mount.Alice.Latency = TimeSpan.FromMilliseconds(15);

            waits[prefetch] = await ReadSequentiallyCountingWaitsAsync(mount, file.Node, content);
        }

        output.WriteLine($"waits: without prefetch {waits[false]}, with prefetch {waits[true]}");
        Assert.Equal(64, waits[false]);
        Assert.True(waits[true] * 4 <= waits[false], $"with prefetch {waits[true]} waits, without {waits[false]}");
    }

    [Fact]
    public async Task SequentialRead_FirstRequestCoversInitialWindowThenParallelGrowingRequests()
    {
        var content = FakeRemoteShares.Pattern(24 << 20, seed: 4);
        await using var mount = TestMount.WithPeer(
            s => s.AddFile("Films/f.mkv", content),
            new VfsOptions { PrefetchMaxWindow = 16L << 20, MaxRequestBytes = 2L << 20, PrefetchMaxRequests = 4 });
        var file = await mount.WalkAsync("alice/Films/f.mkv");
        mount.Alice.Latency = TimeSpan.FromMilliseconds(30);

        await ReadSequentiallyCountingWaitsAsync(mount, file.Node, content);

        var reads = mount.Alice.Reads;
        output.WriteLine($"{reads.Count} requests, max {mount.Alice.MaxConcurrentReads} concurrent: " + string.Join(", ", reads.Select(r => $"{r.Offset >> 10}K+{r.Length >> 10}K")));
        Assert.Equal((0L, 18L * Block), (reads[0].Offset, reads[0].Length));
        Assert.True(mount.Alice.MaxConcurrentReads >= 2, $"max concurrency {mount.Alice.MaxConcurrentReads}");
        Assert.Contains(reads, r => r.Length > reads[0].Length);
        Assert.True(reads.Count < content.Length / ReadSize / 4, $"{reads.Count} requests");
    }

    [Fact]
    public async Task Seek_CancelsTheOldWindowAndIsServedWithoutWaitingForIt()
    {
        var content = FakeRemoteShares.Pattern(64 << 20, seed: 5);
        await using var mount = TestMount.WithPeer(s => s.AddFile("Films/f.mkv", content), Options());
        var file = await mount.WalkAsync("alice/Films/f.mkv");
        // The start of the file answers at once; the rest of the first window hangs, the far end is fast.
        mount.Alice.ReadLatency = r => r.Offset < (2 << 20) || r.Offset >= (40 << 20) ? TimeSpan.Zero : TimeSpan.FromMinutes(1);
        var open = await mount.Vfs.OpenFileAsync(file.Node, CancellationToken.None);
        for (long offset = 0; offset < (1 << 20); offset += ReadSize)
        {
            await mount.ReadAsync(open.Handle, offset, ReadSize);
        }

        await WaitUntilAsync(() => mount.Alice.Reads.Any(r => r.Offset >= (2 << 20))); // a hanging window is in flight

        var seek = mount.ReadAsync(open.Handle, 48L << 20, ReadSize);
        var done = await Task.WhenAny(seek, Task.Delay(TimeSpan.FromSeconds(10)));

        Assert.Same(seek, done);
        Assert.Equal(content.AsSpan(48 << 20, ReadSize).ToArray(), await seek);
        await WaitUntilAsync(() => mount.Alice.Cancellations > 0, seconds: 5);
        mount.Vfs.ReleaseFile(open.Handle);
    }

    [Fact]
    public async Task Release_CancelsPrefetchInFlight()
    {
        var content = FakeRemoteShares.Pattern(16 << 20, seed: 6);
        await using var mount = TestMount.WithPeer(s => s.AddFile("Films/f.mkv", content), Options());
        var file = await mount.WalkAsync("alice/Films/f.mkv");
        mount.Alice.ReadLatency = r => r.Offset == 0 ? TimeSpan.Zero : TimeSpan.FromMinutes(1);
        var open = await mount.Vfs.OpenFileAsync(file.Node, CancellationToken.None);
        await mount.ReadAsync(open.Handle, 0, ReadSize);
        await mount.ReadAsync(open.Handle, ReadSize, ReadSize);
        await WaitUntilAsync(() => mount.Alice.Reads.Count >= 2);

        mount.Vfs.ReleaseFile(open.Handle);

        await WaitUntilAsync(() => mount.Alice.Cancellations >= mount.Alice.Reads.Count - 1, seconds: 5);
        await WaitUntilAsync(() => mount.Vfs.InFlightBlocks == 0, seconds: 5);
    }

    [Fact]
    public async Task CacheRefusingBlocks_PrefetchStaysWithinTheMemoryBound()
    {
        var content = FakeRemoteShares.Pattern(8 << 20, seed: 7);
        var cache = new InMemoryBlockStore(Block) { RefuseWrites = true };
        const long bound = 8 * Block;
        await using var mount = TestMount.WithPeer(s => s.AddFile("Films/f.mkv", content), Options(memory: bound), cache: cache);
        var file = await mount.WalkAsync("alice/Films/f.mkv");
        var open = await mount.Vfs.OpenFileAsync(file.Node, CancellationToken.None);
        var buffer = new byte[ReadSize];

        for (long offset = 0; offset < content.Length; offset += ReadSize)
        {
            var n = await mount.Vfs.ReadAsync(open.Handle, offset, buffer, CancellationToken.None);
            Assert.Equal(content.AsSpan((int)offset, n).ToArray(), buffer.AsSpan(0, n).ToArray());
            Assert.True(mount.Vfs.BufferedBytes <= bound, $"{mount.Vfs.BufferedBytes} bytes buffered");
        }

        mount.Vfs.ReleaseFile(open.Handle);
    }

    [Fact]
    public async Task FullyCachedFile_NoRemoteRequests()
    {
        var content = FakeRemoteShares.Pattern(4 << 20, seed: 8);
        await using var mount = TestMount.WithPeer(s => s.AddFile("Films/f.mkv", content), Options());
        var file = await mount.WalkAsync("alice/Films/f.mkv");
        Assert.Equal(content, await mount.ReadAllAsync(file.Node));
        var requests = mount.Alice.ReadRequests;

        Assert.Equal(content, await mount.ReadAllAsync(file.Node));
        Assert.Equal(0, await ReadSequentiallyCountingWaitsAsync(mount, file.Node, content));

        Assert.Equal(requests, mount.Alice.ReadRequests);
    }

    internal static async Task WaitUntilAsync(Func<bool> condition, int seconds = 10)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, "condition not met in time");
            await Task.Delay(10);
        }
    }
}

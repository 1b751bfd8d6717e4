using HddFs.Core;
using HddFs.Testing;

namespace HddFs.Vfs.Tests;

/// <summary>The read path through BlockMemory: streamed blocks, write-behind, the memory budget,
/// prefetch losses, and the reader's stall clock.</summary>
public sealed class StreamingReadTests
{
    private const int Block = TestMount.BlockSize;
    private const int ReadSize = 128 * 1024;
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task FirstBytesOfABlockStillArriving_AreReturnedBeforeTheBlockIsComplete()
    {
        var content = FakeRemoteShares.Pattern(4 * Block, seed: 11);
        PacedShares? paced = null;
        await using var mount = TestMount.Create(
            party =>
            {
                var shares = new FakeRemoteShares(FakeRemoteShares.NewPeerId(1));
                shares.AddFile("Films/f.mkv", content);
                paced = new PacedShares(shares) { StallAfterBytes = 10_000, ChunkBytes = 4096 };
                party.Add(paced, "alice");
                return [shares];
            },
            new VfsOptions { RequestTimeout = TimeSpan.FromMinutes(2) });
        var file = await mount.WalkAsync("alice/Films/f.mkv");
        var open = await mount.Vfs.OpenFileAsync(file.Node, CancellationToken.None);

        // The peer sends 10,000 bytes of the first block and then nothing more.
        Assert.Equal(content.AsSpan(0, 4096).ToArray(), await mount.ReadAsync(open.Handle, 0, 4096).WaitAsync(Guard));
        Assert.Equal(content.AsSpan(4096, 5000).ToArray(), await mount.ReadAsync(open.Handle, 4096, 5000).WaitAsync(Guard));

        var beyond = mount.ReadAsync(open.Handle, 9000, 2000);
        await Task.Delay(300);
        Assert.False(beyond.IsCompleted);
        mount.Vfs.ReleaseFile(open.Handle);
    }

    [Fact]
    public async Task SmallCache_FourConcurrentSequentialReaders_NoBlockIsFetchedTwice()
    {
        // The block cache holds 4 blocks; each reader's prefetch window is many times that. Prefetched
        // blocks wait in memory until read, so nothing is fetched twice.
        var files = Enumerable.Range(0, 4).Select(i => FakeRemoteShares.Pattern(4 << 20, seed: 20 + i)).ToArray();
        var cache = new InMemoryBlockStore(Block, capacityBytes: 4 * Block);
        await using var mount = TestMount.WithPeer(
            s =>
            {
                for (var i = 0; i < files.Length; i++)
                {
                    s.AddFile($"Films/f{i}.mkv", files[i]);
                }
            },
            new VfsOptions { RequestTimeout = TimeSpan.FromMinutes(2), MemoryBufferBytes = 64L << 20 },
            cache: cache);
        var nodes = new List<ulong>();
        for (var i = 0; i < files.Length; i++)
        {
            nodes.Add((await mount.WalkAsync($"alice/Films/f{i}.mkv")).Node);
        }

        mount.Alice.Latency = TimeSpan.FromMilliseconds(2);

        var reads = nodes.Select((node, i) => Task.Run(async () => Assert.Equal(files[i], await mount.ReadAllAsync(node, ReadSize)))).ToArray();
        await Task.WhenAll(reads).WaitAsync(Guard);

        var total = files.Sum(f => (long)f.Length);
        Assert.True(mount.Alice.BytesServed <= total + files.Length * 4, $"fetched {mount.Alice.BytesServed} bytes to read {total}");
    }

    [Fact]
    public async Task MemoryBudget_NeverExceeded_WithConcurrentReadersAndASlowCache()
    {
        var files = Enumerable.Range(0, 4).Select(i => FakeRemoteShares.Pattern(2 << 20, seed: 30 + i)).ToArray();
        const long budget = 12 * Block;
        var inner = new InMemoryBlockStore(Block, capacityBytes: 8 * Block);
        var slow = new SlowBlockStore(inner, TimeSpan.FromMilliseconds(3));
        await using var mount = TestMount.Create(
            party =>
            {
                var shares = new FakeRemoteShares(FakeRemoteShares.NewPeerId(1));
                for (var i = 0; i < files.Length; i++)
                {
                    shares.AddFile($"Films/f{i}.mkv", files[i]);
                }

                party.Add(shares, "alice");
                return [shares];
            },
            new VfsOptions { RequestTimeout = TimeSpan.FromMinutes(2), MemoryBufferBytes = budget },
            cache: inner,
            store: slow);
        var nodes = new List<ulong>();
        for (var i = 0; i < files.Length; i++)
        {
            nodes.Add((await mount.WalkAsync($"alice/Films/f{i}.mkv")).Node);
        }

        using var stop = new CancellationTokenSource();
        long highest = 0;
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                highest = Math.Max(highest, mount.Vfs.BufferedBytes);
                await Task.Yield();
            }
        });

        var reads = nodes.Select((node, i) => Task.Run(async () => Assert.Equal(files[i], await mount.ReadAllAsync(node, ReadSize)))).ToArray();
        await Task.WhenAll(reads).WaitAsync(Guard);
        await stop.CancelAsync();
        await sampler;

        Assert.True(highest <= budget, $"{highest} bytes of blocks in memory, budget {budget}");
        Assert.True(highest >= budget / 2, $"the test never loaded the memory ({highest} bytes)");
        await PrefetchTests.WaitUntilAsync(() => inner.Writes >= files.Sum(f => f.Length) / Block); // every block written behind
    }

    [Fact]
    public async Task PrefetchedBlockLostBeforeItWasRead_HalvesTheStreamsWindow()
    {
        var content = FakeRemoteShares.Pattern(64 * Block, seed: 12);
        await using var mount = TestMount.WithPeer(
            s => s.AddFile("Films/f.mkv", content),
            new VfsOptions { RequestTimeout = TimeSpan.FromMinutes(2), PrefetchMaxWindow = 64 * Block, MemoryBufferBytes = 256 * Block });
        var file = await mount.WalkAsync("alice/Films/f.mkv");
        var open = await mount.Vfs.OpenFileAsync(file.Node, CancellationToken.None);
        for (long offset = 0; offset < 4 * Block; offset += ReadSize)
        {
            Assert.Equal(content.AsSpan((int)offset, ReadSize).ToArray(), await mount.ReadAsync(open.Handle, offset, ReadSize));
        }

        await PrefetchTests.WaitUntilAsync(() => mount.Vfs.InFlightBlocks == 0);
        var before = mount.Vfs.MaxWindowOf(open.Handle);
        Assert.Equal(64L * Block, before);

        // What the stream fetched ahead is gone from memory and from the cache.
        await PrefetchTests.WaitUntilAsync(() => mount.Vfs.CacheWrites == mount.Alice.BytesServed / Block);
        mount.Vfs.DropMemory();
        mount.Cache.Clear();
        var requests = mount.Alice.ReadRequests;
        Assert.Equal(content.AsSpan(4 * Block, ReadSize).ToArray(), await mount.ReadAsync(open.Handle, 4 * Block, ReadSize));

        Assert.True(mount.Alice.ReadRequests > requests);
        Assert.Equal(before / 2, mount.Vfs.MaxWindowOf(open.Handle));
        mount.Vfs.ReleaseFile(open.Handle);
    }

    [Fact]
    public async Task ReaderWhoseFetchIsCancelledUnderIt_FailsWithinOneTimeoutOfItsStart()
    {
        // A reader waits on a prefetched block of a silent peer; a seek on the same handle cancels that
        // prefetch, so the reader fetches the block itself. It must still fail one RequestTimeout after
        // it started waiting, not one timeout after its retry.
        var time = new ManualTimeProvider();
        var content = FakeRemoteShares.Pattern(64 * Block, seed: 13);
        await using var mount = TestMount.WithPeer(
            s => s.AddFile("Films/f.mkv", content),
            new VfsOptions { RequestTimeout = TimeSpan.FromSeconds(4), FailFastPeriod = TimeSpan.Zero },
            time);
        var file = await mount.WalkAsync("alice/Films/f.mkv");
        var open = await mount.Vfs.OpenFileAsync(file.Node, CancellationToken.None);
        mount.Alice.Hang = true;

        var first = mount.ReadAsync(open.Handle, 0, 4096);
        await PrefetchTests.WaitUntilAsync(() => mount.Alice.ReadRequests == 1);
        time.Advance(TimeSpan.FromSeconds(2.5));
        var seek = mount.ReadAsync(open.Handle, 40 * Block, 4096); // cancels the first stream
        await PrefetchTests.WaitUntilAsync(() => mount.Alice.ReadRequests == 3); // the seek's and the retry's
        Assert.False(first.IsCompleted);

        time.Advance(TimeSpan.FromSeconds(1.6)); // 4.1 s after the first reader started, 1.6 s after its retry

        var error = await Assert.ThrowsAsync<VfsException>(() => first.WaitAsync(Guard));
        Assert.Equal(VfsError.IoError, error.Error);
        Assert.False(seek.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(4));
        await Assert.ThrowsAsync<VfsException>(() => seek.WaitAsync(Guard));
    }

    [Fact]
    public async Task BlocksFetchedForOneHandle_ServeAnotherHandleWithoutACacheRead()
    {
        var content = FakeRemoteShares.Pattern(8 * Block, seed: 14);
        await using var mount = TestMount.WithPeer(s => s.AddFile("Films/f.mkv", content), new VfsOptions { RequestTimeout = TimeSpan.FromMinutes(2) });
        var file = await mount.WalkAsync("alice/Films/f.mkv");
        Assert.Equal(content, await mount.ReadAllAsync(file.Node, 4096));
        var requests = mount.Alice.ReadRequests;

        Assert.Equal(content, await mount.ReadAllAsync(file.Node, 4096));

        Assert.Equal(requests, mount.Alice.ReadRequests);
        Assert.Equal(0, mount.Cache.Reads);
    }

    [Fact]
    public async Task WarmSequentialRead_CachedBlocksAreLoadedAheadOfTheReader()
    {
        var content = FakeRemoteShares.Pattern(32 * Block, seed: 15);
        await using var mount = TestMount.WithPeer(s => s.AddFile("Films/f.mkv", content), new VfsOptions { RequestTimeout = TimeSpan.FromMinutes(2) });
        var file = await mount.WalkAsync("alice/Films/f.mkv");
        Assert.Equal(content, await mount.ReadAllAsync(file.Node, ReadSize));
        var key = mount.KeyOf(mount.Alice, "Films/f.mkv");
        await PrefetchTests.WaitUntilAsync(() => mount.Cache.CachedBytes(key) == content.Length);
        mount.Vfs.DropMemory();
        var requests = mount.Alice.ReadRequests;
        var open = await mount.Vfs.OpenFileAsync(file.Node, CancellationToken.None);

        Assert.Equal(content.AsSpan(0, 4096).ToArray(), await mount.ReadAsync(open.Handle, 0, 4096));

        // The stream's first window (1 MiB + 128 KiB = 18 blocks) is loaded from the cache by itself...
        await PrefetchTests.WaitUntilAsync(() => mount.Cache.Reads >= 18 && mount.Vfs.InFlightBlocks == 0);
        var loaded = mount.Cache.Reads;
        for (var block = 1; block < 18; block++)
        {
            Assert.Equal(content.AsSpan(block * Block, 4096).ToArray(), await mount.ReadAsync(open.Handle, block * Block, 4096));
        }

        // ...so the reader's reads of it touch neither the cache (beyond what loading ahead does) nor the peer.
        Assert.Equal(requests, mount.Alice.ReadRequests);
        Assert.True(mount.Cache.Reads - loaded <= 32 - 18, $"{mount.Cache.Reads - loaded} cache reads by readers");
        mount.Vfs.ReleaseFile(open.Handle);
    }

    /// <summary>A block store whose writes take a while (a slow disk).</summary>
    private sealed class SlowBlockStore(InMemoryBlockStore inner, TimeSpan writeTime) : IBlockStore
    {
        public int BlockSize => inner.BlockSize;

        public int TryRead(FileKey file, long blockIndex, Span<byte> destination) => inner.TryRead(file, blockIndex, destination);

        public void Write(FileKey file, long blockIndex, ReadOnlySpan<byte> data)
        {
            Thread.Sleep(writeTime);
            inner.Write(file, blockIndex, data);
        }

        public bool Contains(FileKey file, long blockIndex) => inner.Contains(file, blockIndex);

        public long CachedBytes(FileKey file) => inner.CachedBytes(file);
    }
}

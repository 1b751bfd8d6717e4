using HddFs.Core;
using HddFs.Testing;

namespace HddFs.Vfs.Tests;

public sealed class ReadTests
{
    private const int Block = TestMount.BlockSize;

    // 5 blocks and a short sixth.
    private static readonly byte[] Content = FakeRemoteShares.Pattern((5 * Block) + 1234, seed: 42);

    private static TestMount MountWithFile(VfsOptions? options = null, InMemoryBlockStore? cache = null)
        => TestMount.WithPeer(s => s.AddFile("Films/film.mkv", Content), options, cache: cache);

    private static VfsOptions NoPrefetch() => new() { RequestTimeout = TimeSpan.FromSeconds(2), PrefetchMaxWindow = 0 };

    [Theory]
    [InlineData(0, 10)]
    [InlineData(0, Block)]
    [InlineData(Block - 10, 20)]
    [InlineData(Block - 1, (3 * Block) + 2)]
    [InlineData(5 * Block, 1234)]
    [InlineData((5 * Block) + 1000, 1000)]
    [InlineData((5 * Block) + 1233, 1)]
    [InlineData(12345, 128 * 1024)]
    [InlineData(0, (6 * Block) + 10)]
    public async Task Read_AnyRange_ReturnsExactlyTheFilesBytes(int offset, int length)
    {
        foreach (var options in new[] { NoPrefetch(), TestMount.FastOptions() })
        {
            await using var mount = MountWithFile(options);
            var file = await mount.WalkAsync("alice/Films/film.mkv");
            var open = await mount.Vfs.OpenFileAsync(file.Node, CancellationToken.None);

            var bytes = await mount.ReadAsync(open.Handle, offset, length);

            var expected = Content.AsSpan(offset, Math.Min(length, Content.Length - offset)).ToArray();
            Assert.Equal(expected, bytes);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(1000)]
    public async Task Read_AtOrPastEndOfFile_ReturnsZero(int beyond)
    {
        await using var mount = MountWithFile();
        var file = await mount.WalkAsync("alice/Films/film.mkv");
        var open = await mount.Vfs.OpenFileAsync(file.Node, CancellationToken.None);

        Assert.Empty(await mount.ReadAsync(open.Handle, Content.Length + beyond, 100));
    }

    [Fact]
    public async Task Read_WholeFile_RequestsAreBlockAlignedAndProbeOneByteAtEnd()
    {
        await using var mount = MountWithFile(NoPrefetch());
        var file = await mount.WalkAsync("alice/Films/film.mkv");

        Assert.Equal(Content, await mount.ReadAllAsync(file.Node, readSize: 10_000));

        var reads = mount.Alice.Reads;
        Assert.All(reads, r => Assert.Equal(0, r.Offset % Block));
        Assert.All(reads, r => Assert.True(r.Length % Block == 0 || r.Offset + r.Length == Content.Length + 1, $"{r}"));
        Assert.Equal(6, reads.Count);
    }

    [Fact]
    public async Task Read_SecondTime_ServedFromCacheWithoutRpc()
    {
        await using var mount = MountWithFile();
        var file = await mount.WalkAsync("alice/Films/film.mkv");
        Assert.Equal(Content, await mount.ReadAllAsync(file.Node));
        var requests = mount.Alice.ReadRequests;
        var served = mount.Alice.BytesServed;
        var key = mount.KeyOf(mount.Alice, "Films/film.mkv");
        await PrefetchTests.WaitUntilAsync(() => mount.Cache.CachedBytes(key) == Content.Length); // written behind
        mount.Vfs.DropMemory();
        var cacheReads = mount.Cache.Reads;

        Assert.Equal(Content, await mount.ReadAllAsync(file.Node, readSize: 4096));

        Assert.Equal(requests, mount.Alice.ReadRequests);
        Assert.Equal(served, mount.Alice.BytesServed);
        Assert.Equal(6, mount.Cache.Reads - cacheReads); // one cache read per block, not one per 4 KiB read
    }

    [Fact]
    public async Task Read_Cold_ServedFromTheFetchedBytesNeverReadBackFromTheCache()
    {
        await using var mount = MountWithFile();
        var file = await mount.WalkAsync("alice/Films/film.mkv");

        Assert.Equal(Content, await mount.ReadAllAsync(file.Node, readSize: 4096));

        Assert.Equal(0, mount.Cache.Reads);
        await PrefetchTests.WaitUntilAsync(() => mount.Cache.CachedBytes(mount.KeyOf(mount.Alice, "Films/film.mkv")) == Content.Length);
        Assert.Equal(6, mount.Cache.Writes);
        Assert.Equal(Content, await mount.ReadAllAsync(file.Node, readSize: 4096)); // from memory
        Assert.Equal(0, mount.Cache.Reads);
    }

    [Fact]
    public async Task Read_ConcurrentReadersOfOneBlock_OneFetch()
    {
        await using var mount = MountWithFile(NoPrefetch());
        var file = await mount.WalkAsync("alice/Films/film.mkv");
        mount.Alice.Latency = TimeSpan.FromMilliseconds(200);
        var handles = new List<ulong>();
        for (var i = 0; i < 8; i++)
        {
            handles.Add((await mount.Vfs.OpenFileAsync(file.Node, CancellationToken.None)).Handle);
        }

        var reads = handles.Select((h, i) => mount.ReadAsync(h, Block + (i * 100), 100)).ToArray();
        var results = await Task.WhenAll(reads);

        Assert.Equal(1, mount.Alice.ReadRequests);
        for (var i = 0; i < results.Length; i++)
        {
            Assert.Equal(Content.AsSpan(Block + (i * 100), 100).ToArray(), results[i]);
        }
    }

    [Fact]
    public async Task Read_CacheRefusesEveryBlock_StillServesCorrectData()
    {
        var cache = new InMemoryBlockStore(Block) { RefuseWrites = true };
        await using var mount = MountWithFile(cache: cache);
        var file = await mount.WalkAsync("alice/Films/film.mkv");

        Assert.Equal(Content, await mount.ReadAllAsync(file.Node, readSize: 50_000));

        await PrefetchTests.WaitUntilAsync(() => cache.Writes == 6); // every block was offered (written behind)
        Assert.Equal(0, cache.Bytes);
        mount.Vfs.DropMemory();
        Assert.Equal(Content, await mount.ReadAllAsync(file.Node, readSize: 50_000)); // fetched again, still correct
    }

    [Fact]
    public async Task Read_CorruptCachedBlock_FetchedAgain()
    {
        await using var mount = MountWithFile(NoPrefetch());
        var file = await mount.WalkAsync("alice/Films/film.mkv");
        Assert.Equal(Content, await mount.ReadAllAsync(file.Node));
        var key = mount.KeyOf(mount.Alice, "Films/film.mkv");
        await PrefetchTests.WaitUntilAsync(() => mount.Cache.CachedBytes(key) == Content.Length);
        mount.Cache.Corrupt(key, 2);
        mount.Vfs.DropMemory(); // else the re-read is served from memory and never meets the corrupt block
        mount.Alice.ResetCounters();

        Assert.Equal(Content, await mount.ReadAllAsync(file.Node));

        var read = Assert.Single(mount.Alice.Reads);
        Assert.Equal(2L * Block, read.Offset);
    }

    [Fact]
    public async Task Read_RemoteFileShrankBehindListing_IoErrorInvalidatedNothingCached()
    {
        await using var mount = MountWithFile(NoPrefetch());
        var file = await mount.WalkAsync("alice/Films/film.mkv");
        var open = await mount.Vfs.OpenFileAsync(file.Node, CancellationToken.None);
        mount.Alice.SetContent("Films/film.mkv", Content.AsSpan(0, (3 * Block) + 5).ToArray());

        var error = await Assert.ThrowsAsync<VfsException>(() => mount.ReadAsync(open.Handle, 3 * Block, 100));

        Assert.Equal(VfsError.IoError, error.Error);
        Assert.Contains(new VfsInvalidation(VfsInvalidationKind.Node, file.Node, null), mount.Invalidations);
        Assert.Equal(0, mount.Cache.Bytes);
    }

    [Fact]
    public async Task Read_RemoteFileGrewBehindListing_IoErrorOnLastBlock()
    {
        await using var mount = MountWithFile(NoPrefetch());
        var file = await mount.WalkAsync("alice/Films/film.mkv");
        var open = await mount.Vfs.OpenFileAsync(file.Node, CancellationToken.None);
        mount.Alice.SetContent("Films/film.mkv", [.. Content, 1, 2, 3]);

        var error = await Assert.ThrowsAsync<VfsException>(() => mount.ReadAsync(open.Handle, 5 * Block, 100));

        Assert.Equal(VfsError.IoError, error.Error);
        Assert.Contains(new VfsInvalidation(VfsInvalidationKind.Node, file.Node, null), mount.Invalidations);
        Assert.False(mount.Cache.Contains(mount.KeyOf(mount.Alice, "Films/film.mkv") with { Size = Content.Length }, 5));
    }

    [Fact]
    public async Task Read_PeerDeclaresMoreThanAsked_IoErrorNothingCached()
    {
        await using var mount = MountWithFile(NoPrefetch());
        var file = await mount.WalkAsync("alice/Films/film.mkv");
        var open = await mount.Vfs.OpenFileAsync(file.Node, CancellationToken.None);
        mount.Alice.DeclaredLengthDelta = 10;

        var error = await Assert.ThrowsAsync<VfsException>(() => mount.ReadAsync(open.Handle, 0, 100));

        Assert.Equal(VfsError.IoError, error.Error);
        Assert.Equal(0, mount.Cache.Bytes);
    }

    [Fact]
    public async Task Read_FileGoneOnPeer_IoErrorAndInvalidated()
    {
        await using var mount = MountWithFile(NoPrefetch());
        var file = await mount.WalkAsync("alice/Films/film.mkv");
        var open = await mount.Vfs.OpenFileAsync(file.Node, CancellationToken.None);
        mount.Alice.Remove("Films/film.mkv");

        var error = await Assert.ThrowsAsync<VfsException>(() => mount.ReadAsync(open.Handle, 0, 100));

        Assert.Equal(VfsError.IoError, error.Error);
        Assert.Contains(new VfsInvalidation(VfsInvalidationKind.Node, file.Node, null), mount.Invalidations);
    }

    [Fact]
    public async Task Read_EmptyFile_ReturnsZeroWithoutRpc()
    {
        await using var mount = TestMount.WithPeer(s => s.AddFile("Docs/empty", []));
        var file = await mount.WalkAsync("alice/Docs/empty");

        Assert.Empty(await mount.ReadAllAsync(file.Node));

        Assert.Equal(0, mount.Alice.ReadRequests);
    }

    [Fact]
    public async Task Read_BadArguments_Rejected()
    {
        await using var mount = MountWithFile();
        var file = await mount.WalkAsync("alice/Films/film.mkv");
        var open = await mount.Vfs.OpenFileAsync(file.Node, CancellationToken.None);

        Assert.Equal(VfsError.InvalidArgument, (await Assert.ThrowsAsync<VfsException>(() => mount.ReadAsync(open.Handle, -1, 10))).Error);
        Assert.Equal(VfsError.BadHandle, (await Assert.ThrowsAsync<VfsException>(() => mount.ReadAsync(open.Handle + 100, 0, 10))).Error);
        mount.Vfs.ReleaseFile(open.Handle);
        Assert.Equal(VfsError.BadHandle, (await Assert.ThrowsAsync<VfsException>(() => mount.ReadAsync(open.Handle, 0, 10))).Error);
    }
}

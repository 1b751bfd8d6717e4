using HddFs.Core;
using HddFs.Testing;
using static HddFs.Cache.Tests.CacheTestData;

namespace HddFs.Cache.Tests;

public sealed class DiskBlockCacheBasicsTests : IDisposable
{
    private readonly TempDirectory _dir = new("hddfs-cache");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Write_ThenTryRead_ReturnsTheSameBytes()
    {
        using var cache = Open(_dir.Path, 16L * SmallBlockCharge);
        var key = Key();
        for (var i = 0; i < 4; i++)
        {
            cache.Write(key, i, Content(key, i, SmallBlock));
        }

        for (var i = 0; i < 4; i++)
        {
            AssertReads(cache, key, i);
            Assert.True(cache.Contains(key, i));
        }

        Assert.False(cache.Contains(key, 4));
        Assert.Equal(-1, cache.TryRead(key, 4, new byte[SmallBlock]));
        Assert.Equal(4L * SmallBlock, cache.CachedBytes(key));
        Assert.Equal(4L * SmallBlockCharge, cache.UsedBytes);
    }

    [Fact]
    public void Write_DefaultOneMebibyteBlocks_RoundTrip()
    {
        using var cache = Open(_dir.Path, 8L << 20, DiskBlockCache.DefaultBlockSize);
        var key = Key(size: (3L << 20) + 17);
        for (var i = 0; i < 4; i++)
        {
            cache.Write(key, i, Content(key, i, cache.BlockSize));
        }

        for (var i = 0; i < 4; i++)
        {
            AssertReads(cache, key, i);
        }

        Assert.Equal(key.Size, cache.CachedBytes(key));
    }

    [Fact]
    public void Write_LastShortBlock_ReadsBackItsOwnLength()
    {
        using var cache = Open(_dir.Path, 8L * SmallBlockCharge);
        var key = Key(size: (2L * SmallBlock) + 1000);
        cache.Write(key, 2, Content(key, 2, SmallBlock));

        var buffer = new byte[SmallBlock];
        Assert.Equal(1000, cache.TryRead(key, 2, buffer));
        AssertReads(cache, key, 2);
        Assert.Equal(1000, cache.CachedBytes(key));
        Assert.Equal(4096, cache.UsedBytes);
    }

    [Fact]
    public void TryRead_DestinationExactlyTheShortBlock_Works_ShorterThrows()
    {
        using var cache = Open(_dir.Path, 8L * SmallBlockCharge);
        var key = Key(size: 1000);
        cache.Write(key, 0, Content(key, 0, SmallBlock));

        Assert.Equal(1000, cache.TryRead(key, 0, new byte[1000]));
        Assert.Throws<ArgumentException>(() => cache.TryRead(key, 0, new byte[999]));
    }

    [Fact]
    public void Write_DataLongerThanABlock_ThrowsArgumentException()
    {
        using var cache = Open(_dir.Path, 8L * SmallBlockCharge);
        var ex = Assert.Throws<ArgumentException>(() => cache.Write(Key(), 0, new byte[SmallBlock + 1]));
        Assert.Equal("data", ex.ParamName);
        Assert.Equal(0, cache.UsedBytes);
    }

    [Theory]
    [InlineData(0, SmallBlock - 1)] // a block other than the last must be full
    [InlineData(0, 1)]
    [InlineData(2, 999)] // the last block must be exactly what remains
    [InlineData(2, 1001)]
    [InlineData(2, SmallBlock)]
    public void Write_WrongLength_ThrowsArgumentException(long index, int length)
    {
        using var cache = Open(_dir.Path, 8L * SmallBlockCharge);
        var key = Key(size: (2L * SmallBlock) + 1000);
        Assert.Throws<ArgumentException>(() => cache.Write(key, index, new byte[length]));
        Assert.False(cache.Contains(key, index));
        Assert.Equal(0, cache.UsedBytes);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(3)]
    [InlineData(long.MaxValue)]
    public void Write_IndexOutsideTheFile_ThrowsArgumentOutOfRange(long index)
    {
        using var cache = Open(_dir.Path, 8L * SmallBlockCharge);
        var key = Key(size: (2L * SmallBlock) + 1000);
        Assert.Throws<ArgumentOutOfRangeException>(() => cache.Write(key, index, new byte[1000]));
    }

    [Fact]
    public void Write_EmptyFile_HasNoBlocks()
    {
        using var cache = Open(_dir.Path, 8L * SmallBlockCharge);
        var key = Key(size: 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => cache.Write(key, 0, []));
        Assert.Equal(-1, cache.TryRead(key, 0, new byte[SmallBlock]));
    }

    [Fact]
    public void TryRead_KeysDifferingInAnyField_NeverSeeEachOthersBlocks()
    {
        using var cache = Open(_dir.Path, 32L * SmallBlockCharge);
        var key = Key();
        FileKey[] others =
        [
            key with { ModifiedUnixMs = key.ModifiedUnixMs + 1 },
            key with { Size = key.Size + SmallBlock },
            key with { Peer = Peer(2) },
            key with { Path = SharePath.Parse("music/album/track.flac2") },
            key with { Path = SharePath.Parse("music/album") },
        ];
        cache.Write(key, 0, Content(key, 0, SmallBlock));

        foreach (var other in others)
        {
            Assert.False(cache.Contains(other, 0));
            Assert.Equal(-1, cache.TryRead(other, 0, new byte[SmallBlock]));
            Assert.Equal(0, cache.CachedBytes(other));
        }

        // Each version keeps its own bytes even when both are cached.
        foreach (var other in others)
        {
            cache.Write(other, 0, Content(other, 0, SmallBlock));
        }

        AssertReads(cache, key, 0);
        foreach (var other in others)
        {
            AssertReads(cache, other, 0);
        }
    }

    [Fact]
    public void Write_SameBlockTwice_StoresItOnce()
    {
        using var cache = Open(_dir.Path, 8L * SmallBlockCharge);
        var key = Key();
        cache.Write(key, 0, Content(key, 0, SmallBlock));
        cache.Write(key, 0, Content(key, 0, SmallBlock));

        Assert.Single(BlockFiles(_dir.Path));
        Assert.Equal(SmallBlockCharge, cache.UsedBytes);
        Assert.Equal(1, cache.GetStatistics().Writes);
    }

    [Fact]
    public void GetCachedRanges_MergesAdjacentBlocks_AndEndsAtTheFileSize()
    {
        using var cache = Open(_dir.Path, 8L * SmallBlockCharge);
        var key = Key(size: (4L * SmallBlock) + 500);
        foreach (var i in new long[] { 4, 0, 1, 3 })
        {
            cache.Write(key, i, Content(key, i, SmallBlock));
        }

        Assert.Equal(
            [new ByteRange(0, 2L * SmallBlock), new ByteRange(3L * SmallBlock, SmallBlock + 500)],
            cache.GetCachedRanges(key));
        Assert.Empty(cache.GetCachedRanges(Key(path: "other/file")));
        Assert.Equal((3L * SmallBlock) + 500, cache.CachedBytes(key));
    }

    [Fact]
    public void Invalidate_DropsEveryVersionOfThePath_AndNothingElse()
    {
        using var cache = Open(_dir.Path, 16L * SmallBlockCharge);
        var v1 = Key(mtime: 1);
        var v2 = Key(mtime: 2);
        var otherPath = Key(path: "music/album/other.flac");
        var otherPeer = Key(peer: 7);
        foreach (var key in new[] { v1, v2, otherPath, otherPeer })
        {
            cache.Write(key, 0, Content(key, 0, SmallBlock));
            cache.Write(key, 1, Content(key, 1, SmallBlock));
        }

        Assert.Equal(4, cache.Invalidate(v1.Peer, v1.Path));

        Assert.Equal(0, cache.CachedBytes(v1));
        Assert.Equal(0, cache.CachedBytes(v2));
        Assert.Equal(-1, cache.TryRead(v2, 0, new byte[SmallBlock]));
        AssertReads(cache, otherPath, 1);
        AssertReads(cache, otherPeer, 1);
        Assert.Equal(4, BlockFiles(_dir.Path).Length);
        Assert.Equal(4L * SmallBlockCharge, cache.UsedBytes);
        Assert.Equal(0, cache.Invalidate(v1.Peer, v1.Path));
    }

    [Fact]
    public void RemoveOlderVersions_KeepsOnlyTheCurrentVersion()
    {
        using var cache = Open(_dir.Path, 16L * SmallBlockCharge);
        var old1 = Key(mtime: 1);
        var old2 = Key(mtime: 2, size: 3L * SmallBlock);
        var current = Key(mtime: 3);
        foreach (var key in new[] { old1, old2, current })
        {
            cache.Write(key, 0, Content(key, 0, SmallBlock));
        }

        Assert.Equal(2, cache.RemoveOlderVersions(current));

        Assert.False(cache.Contains(old1, 0));
        Assert.False(cache.Contains(old2, 0));
        AssertReads(cache, current, 0);
        Assert.Single(BlockFiles(_dir.Path));
    }

    [Fact]
    public void GetStatistics_CountsHitsMissesAndWrites()
    {
        using var cache = Open(_dir.Path, 8L * SmallBlockCharge);
        var key = Key();
        var buffer = new byte[SmallBlock];
        cache.Write(key, 0, Content(key, 0, SmallBlock));
        cache.TryRead(key, 0, buffer);
        cache.TryRead(key, 0, buffer);
        cache.TryRead(key, 1, buffer);

        var stats = cache.GetStatistics();
        Assert.Equal(2, stats.Hits);
        Assert.Equal(1, stats.Misses);
        Assert.Equal(1, stats.Writes);
        Assert.Equal(1, stats.Blocks);
        Assert.Equal(1, stats.Files);
        Assert.Equal(SmallBlockCharge, stats.UsedBytes);
        Assert.Equal(8L * SmallBlockCharge, stats.Capacity);
        Assert.Equal(0, stats.Evictions + stats.CorruptBlocks + stats.WritesDropped);
    }

    [Theory]
    [InlineData(32 * 1024)]
    [InlineData(100_000)]
    [InlineData(128 * 1024 * 1024)]
    public void Constructor_BadBlockSize_Throws(int blockSize)
        => Assert.Throws<ArgumentOutOfRangeException>(() => Open(_dir.Path, 1L << 40, blockSize));

    [Fact]
    public void Constructor_CapacityBelowFourBlocks_Throws()
        => Assert.Throws<ArgumentOutOfRangeException>(() => Open(_dir.Path, (4L * SmallBlock) - 1));

    [Fact]
    public void Dispose_ThenUse_ThrowsObjectDisposed_AndSecondDisposeIsHarmless()
    {
        var cache = Open(_dir.Path, 8L * SmallBlockCharge);
        cache.Dispose();
        cache.Dispose();
        var key = Key();
        Assert.Throws<ObjectDisposedException>(() => cache.Write(key, 0, Content(key, 0, SmallBlock)));
        Assert.Throws<ObjectDisposedException>(() => cache.TryRead(key, 0, new byte[SmallBlock]));
        Assert.Throws<ObjectDisposedException>(() => cache.Contains(key, 0));
    }
}

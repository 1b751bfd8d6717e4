using HddFs.Testing;
using Microsoft.Extensions.Logging;
using static HddFs.Cache.Tests.CacheTestData;

namespace HddFs.Cache.Tests;

public sealed class DiskBlockCacheCorruptionTests : IDisposable
{
    private const int CorruptBlockEvent = 3002;

    private readonly TempDirectory _dir = new("hddfs-cache");
    private readonly RecordingLogger _log = new();

    public void Dispose() => _dir.Dispose();

    public enum Where
    {
        FirstDataByte,
        MiddleOfData,
        LastDataByte,
        Identity,
        FooterMagic,
        FooterIndex,
        LastChecksumByte,
    }

    [Theory]
    [InlineData(Where.FirstDataByte)]
    [InlineData(Where.MiddleOfData)]
    [InlineData(Where.LastDataByte)]
    [InlineData(Where.Identity)]
    [InlineData(Where.FooterMagic)]
    [InlineData(Where.FooterIndex)]
    [InlineData(Where.LastChecksumByte)]
    public void TryRead_ByteFlippedOnDisk_ReadsAsAbsent_DeletesIt_ThenRewriteWorks(Where where)
    {
        using var cache = Open(_dir.Path, 8L * SmallBlockCharge, logger: _log);
        var key = Key();
        var file = WriteAndFindFile(cache, _dir.Path, key, 1);
        var length = new FileInfo(file).Length;
        var offset = where switch
        {
            Where.FirstDataByte => 0,
            Where.MiddleOfData => SmallBlock / 2,
            Where.LastDataByte => SmallBlock - 1,
            Where.Identity => SmallBlock + 5,
            Where.FooterMagic => length - 32,
            Where.FooterIndex => length - 16,
            _ => length - 1,
        };
        FlipByte(file, offset);

        Assert.Equal(-1, cache.TryRead(key, 1, new byte[SmallBlock]));

        Assert.False(File.Exists(file));
        Assert.False(cache.Contains(key, 1));
        Assert.Equal(0, cache.UsedBytes);
        Assert.Equal(1, cache.GetStatistics().CorruptBlocks);
        Assert.Contains(_log.Records, r => r.EventId == CorruptBlockEvent && r.Level == LogLevel.Warning);

        cache.Write(key, 1, Content(key, 1, SmallBlock));
        AssertReads(cache, key, 1);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(SmallBlock / 2)]
    [InlineData(SmallBlock)] // the data is intact, the trailer is gone
    [InlineData(-1)] // one byte short
    public void TryRead_TruncatedFile_ReadsAsAbsent(long newLength)
    {
        using var cache = Open(_dir.Path, 8L * SmallBlockCharge, logger: _log);
        var key = Key();
        var file = WriteAndFindFile(cache, _dir.Path, key, 0);
        using (var stream = new FileStream(file, FileMode.Open))
        {
            stream.SetLength(newLength >= 0 ? newLength : stream.Length + newLength);
        }

        Assert.Equal(-1, cache.TryRead(key, 0, new byte[SmallBlock]));
        Assert.False(File.Exists(file));
        Assert.Equal(1, cache.GetStatistics().CorruptBlocks);
    }

    [Fact]
    public void TryRead_BytesAppendedToTheFile_ReadsAsAbsent()
    {
        using var cache = Open(_dir.Path, 8L * SmallBlockCharge, logger: _log);
        var key = Key();
        var file = WriteAndFindFile(cache, _dir.Path, key, 0);
        File.AppendAllText(file, "x");

        Assert.Equal(-1, cache.TryRead(key, 0, new byte[SmallBlock]));
        Assert.Equal(1, cache.GetStatistics().CorruptBlocks);
    }

    [Fact]
    public void TryRead_AnotherBlocksFileRenamedOntoIt_ReadsAsAbsent()
    {
        using var cache = Open(_dir.Path, 8L * SmallBlockCharge, logger: _log);
        var key = Key();
        var other = Key(mtime: 2); // same path, same size: identical layout, different identity
        var fileA = WriteAndFindFile(cache, _dir.Path, key, 0);
        var fileB = WriteAndFindFile(cache, _dir.Path, other, 0);
        var fileC = WriteAndFindFile(cache, _dir.Path, key, 1); // same file, next block

        File.Copy(fileA, fileB, overwrite: true);
        File.Copy(fileA, fileC, overwrite: true);

        Assert.Equal(-1, cache.TryRead(other, 0, new byte[SmallBlock]));
        Assert.Equal(-1, cache.TryRead(key, 1, new byte[SmallBlock]));
        AssertReads(cache, key, 0);
        Assert.Equal(2, cache.GetStatistics().CorruptBlocks);
    }

    [Fact]
    public void TryRead_FileDeletedBehindTheCachesBack_IsAMiss_AndReleasesItsBytes()
    {
        using var cache = Open(_dir.Path, 8L * SmallBlockCharge, logger: _log);
        var key = Key();
        var file = WriteAndFindFile(cache, _dir.Path, key, 0);
        File.Delete(file);

        Assert.Equal(-1, cache.TryRead(key, 0, new byte[SmallBlock]));

        Assert.False(cache.Contains(key, 0));
        Assert.Equal(0, cache.UsedBytes);
        Assert.Equal(0, cache.GetStatistics().CorruptBlocks);
    }

    [Fact]
    public void Write_BlocksDirectoryGone_DropsTheBlockWithoutThrowing_AndLogsOnce()
    {
        using var cache = Open(_dir.Path, 8L * SmallBlockCharge, logger: _log);
        var key = Key();
        Directory.Delete(_dir.BlocksDirectory(), recursive: true);

        cache.Write(key, 0, Content(key, 0, SmallBlock));
        cache.Write(key, 1, Content(key, 1, SmallBlock));

        Assert.False(cache.Contains(key, 0));
        Assert.Equal(0, cache.UsedBytes);
        Assert.Equal(2, cache.GetStatistics().WritesDropped);
        Assert.Equal(1, _log.Count(3005)); // the second failure within 10 s is counted, not logged
    }

    [Fact]
    public void Open_CorruptBlockLeftFromBefore_IsDeletedAtOpen_NeverServed()
    {
        var key = Key();
        string file;
        using (var cache = Open(_dir.Path, 8L * SmallBlockCharge))
        {
            file = WriteAndFindFile(cache, _dir.Path, key, 0);
            WriteAndFindFile(cache, _dir.Path, key, 1);
        }

        FlipByte(file, new FileInfo(file).Length - 40); // in the identity: the name no longer matches

        using (var cache = Open(_dir.Path, 8L * SmallBlockCharge, logger: _log))
        {
            Assert.False(File.Exists(file));
            Assert.False(cache.Contains(key, 0));
            AssertReads(cache, key, 1);
            Assert.Equal(1, cache.GetStatistics().CorruptBlocks);
            Assert.Equal(1, _log.Count(CorruptBlockEvent));
        }
    }

    [Fact]
    public void Open_DataCorruptedWhileClosed_IsCaughtAtTheFirstRead()
    {
        var key = Key();
        string file;
        using (var cache = Open(_dir.Path, 8L * SmallBlockCharge))
        {
            file = WriteAndFindFile(cache, _dir.Path, key, 0);
        }

        FlipByte(file, 100);

        using (var cache = Open(_dir.Path, 8L * SmallBlockCharge, logger: _log))
        {
            Assert.True(cache.Contains(key, 0)); // open reads trailers only
            Assert.Equal(-1, cache.TryRead(key, 0, new byte[SmallBlock]));
            Assert.False(File.Exists(file));
        }
    }

    private static void FlipByte(string file, long offset)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.ReadWrite);
        stream.Position = offset;
        var b = stream.ReadByte();
        stream.Position = offset;
        stream.WriteByte((byte)(b ^ 0x01));
    }
}

using System.Diagnostics;
using HddFs.Core;
using HddFs.Testing;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;
using static HddFs.Cache.Tests.CacheTestData;

namespace HddFs.Cache.Tests;

public sealed class DiskBlockCacheRestartTests(ITestOutputHelper output) : IDisposable
{
    private const int WipeEvent = 3001;

    private readonly TempDirectory _dir = new("hddfs-cache");
    private readonly RecordingLogger _log = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Reopen_KeepsEveryBlock_AndServesThemVerified()
    {
        var a = Key(path: "share/a", size: (3L * SmallBlock) + 10);
        var b = Key(path: "share/b", peer: 9);
        using (var cache = Open(_dir.Path, 16L * SmallBlockCharge))
        {
            for (var i = 0; i < 4; i++)
            {
                cache.Write(a, i, Content(a, i, SmallBlock));
            }

            cache.Write(b, 7, Content(b, 7, SmallBlock));
        }

        using (var cache = Open(_dir.Path, 16L * SmallBlockCharge, logger: _log))
        {
            for (var i = 0; i < 4; i++)
            {
                AssertReads(cache, a, i);
            }

            AssertReads(cache, b, 7);
            Assert.Equal(a.Size, cache.CachedBytes(a));
            Assert.Equal([new ByteRange(7L * SmallBlock, SmallBlock)], cache.GetCachedRanges(b));
            Assert.Equal((4L * SmallBlockCharge) + 4096, cache.UsedBytes);
            Assert.Equal(0, cache.GetStatistics().CorruptBlocks);
            Assert.DoesNotContain(_log.Records, r => r.Level >= LogLevel.Warning);
        }
    }

    [Fact]
    public void Reopen_KeepsTheAccessOrder_SoRecentlyReadBlocksSurviveEviction()
    {
        var key = Key();
        using (var cache = Open(_dir.Path, 5L * SmallBlock))
        {
            for (var i = 0; i < 4; i++)
            {
                cache.Write(key, i, Content(key, i, SmallBlock));
            }

            AssertReads(cache, key, 0);
            AssertReads(cache, key, 1);
        }

        using (var cache = Open(_dir.Path, 5L * SmallBlock))
        {
            cache.Write(key, 4, Content(key, 4, SmallBlock));
            cache.Write(key, 5, Content(key, 5, SmallBlock));

            Assert.False(cache.Contains(key, 2));
            Assert.False(cache.Contains(key, 3));
            Assert.True(cache.Contains(key, 0));
            Assert.True(cache.Contains(key, 1));
        }
    }

    [Fact]
    public void Reopen_WithALowerCapacity_EvictsTheLeastRecentlyUsedAtOnce()
    {
        var key = Key();
        using (var cache = Open(_dir.Path, 10L * SmallBlock))
        {
            for (var i = 0; i < 8; i++)
            {
                cache.Write(key, i, Content(key, i, SmallBlock));
            }

            AssertReads(cache, key, 1);
            AssertReads(cache, key, 0);
        }

        using (var cache = Open(_dir.Path, 5L * SmallBlock))
        {
            Assert.Equal(4L * SmallBlockCharge, cache.UsedBytes);
            Assert.Equal(4, BlockFiles(_dir.Path).Length);
            Assert.Equal(4, cache.GetStatistics().Evictions);
            foreach (var kept in new[] { 6, 7, 1, 0 })
            {
                AssertReads(cache, key, kept);
            }
        }
    }

    [Fact]
    public void Reopen_WithoutAnAccessOrderFile_OrdersByWriteTime()
    {
        var key = Key();
        var files = new string[4];
        using (var cache = Open(_dir.Path, 5L * SmallBlock))
        {
            for (var i = 0; i < 4; i++)
            {
                files[i] = WriteAndFindFile(cache, _dir.Path, key, i);
            }
        }

        File.Delete(Path.Combine(_dir.Path, "access-order"));
        for (var i = 0; i < 4; i++)
        {
            File.SetLastWriteTimeUtc(files[i], new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddMinutes(-i)); // block 3 is the oldest
        }

        using var reopened = Open(_dir.Path, 5L * SmallBlock);
        reopened.Write(key, 4, Content(key, 4, SmallBlock));
        Assert.False(reopened.Contains(key, 3));
        Assert.True(reopened.Contains(key, 0));
    }

    [Fact]
    public void AccessOrder_SavedByTheTimer_SurvivesACrash()
    {
        var time = new ManualTimeProvider();
        var key = Key();
        var orderFile = Path.Combine(_dir.Path, "access-order");
        var crashCopy = new TempDirectory("hddfs-crash");
        try
        {
            using (var cache = Open(_dir.Path, 5L * SmallBlock, time: time))
            {
                for (var i = 0; i < 3; i++)
                {
                    cache.Write(key, i, Content(key, i, SmallBlock));
                }

                AssertReads(cache, key, 0);
                Assert.False(File.Exists(orderFile));
                time.Advance(DiskBlockCache.AccessOrderSaveInterval - TimeSpan.FromSeconds(1));
                Assert.False(File.Exists(orderFile));
                time.Advance(TimeSpan.FromSeconds(1));
                Assert.True(File.Exists(orderFile));

                cache.Write(key, 3, Content(key, 3, SmallBlock)); // after the save: newer than all it names

                // The process "crashes" here: its directory, as it is now, is what the next start finds.
                CopyDirectory(_dir.Path, crashCopy.Path);
            }

            using var reopened = Open(crashCopy.Path, 5L * SmallBlock);
            reopened.Write(key, 4, Content(key, 4, SmallBlock));
            reopened.Write(key, 5, Content(key, 5, SmallBlock));
            Assert.False(reopened.Contains(key, 1));
            Assert.False(reopened.Contains(key, 2));
            AssertReads(reopened, key, 0);
            AssertReads(reopened, key, 3);
        }
        finally
        {
            crashCopy.Dispose();
        }
    }

    [Fact]
    public void Reopen_AfterACrashMidWrite_RemovesTheTemporaryFile()
    {
        var key = Key();
        string file;
        using (var cache = Open(_dir.Path, 8L * SmallBlockCharge))
        {
            file = WriteAndFindFile(cache, _dir.Path, key, 0);
        }

        // A crash between create and rename leaves NAME.tmp, complete or not.
        File.Copy(file, file + ".tmp");
        File.WriteAllBytes(Path.Combine(_dir.BlocksDirectory(), new string('a', 32) + ".tmp"), new byte[1234]);

        using (var cache = Open(_dir.Path, 8L * SmallBlockCharge))
        {
            Assert.Equal([file], Directory.GetFiles(_dir.BlocksDirectory()));
            Assert.Equal(SmallBlockCharge, cache.UsedBytes);
            AssertReads(cache, key, 0);
        }
    }

    [Fact]
    public void Reopen_GarbageInTheBlocksDirectory_IsRemoved_GarbageElsewhereIsLeftAlone()
    {
        var key = Key();
        using (var cache = Open(_dir.Path, 8L * SmallBlockCharge))
        {
            cache.Write(key, 0, Content(key, 0, SmallBlock));
        }

        var blocks = _dir.BlocksDirectory();
        _dir.WriteFile("blocks/readme.txt", "hello");
        _dir.WriteFile("blocks/sub/dir/file", "x");
        _dir.WriteFile("blocks/" + new string('0', 32), new byte[100]); // a block name with junk inside
        _dir.WriteFile("blocks/" + new string('F', 32), new byte[100]); // upper case is not a block name
        _dir.WriteFile("blocks/" + new string('1', 32), []);
        var unrelated = _dir.WriteFile("notes.txt", "the user's own file");
        File.CreateSymbolicLink(Path.Combine(blocks, new string('2', 32)), unrelated);

        using (var cache = Open(_dir.Path, 8L * SmallBlockCharge, logger: _log))
        {
            Assert.Single(Directory.GetFileSystemEntries(blocks));
            AssertReads(cache, key, 0);
            Assert.Equal(SmallBlockCharge, cache.UsedBytes);
            Assert.Equal(2, cache.GetStatistics().CorruptBlocks);
        }

        Assert.Equal("the user's own file", File.ReadAllText(unrelated)); // neither wiped nor followed through the link
    }

    [Theory]
    [InlineData("hddfs block cache\nformat 99\nblock-size 65536\n")] // newer
    [InlineData("hddfs block cache\nformat 0\nblock-size 65536\n")] // older
    [InlineData("hddfs block cache\nformat 1\nblock-size 131072\n")] // other block size
    [InlineData("\0\u0001garbage\u00ff")]
    [InlineData("")]
    public void Reopen_FormatFileOfAnotherLayout_WipesAndStartsEmpty(string format)
    {
        var key = Key();
        using (var cache = Open(_dir.Path, 8L * SmallBlockCharge))
        {
            cache.Write(key, 0, Content(key, 0, SmallBlock));
        }

        File.WriteAllText(Path.Combine(_dir.Path, "FORMAT"), format);

        using (var cache = Open(_dir.Path, 8L * SmallBlockCharge, logger: _log))
        {
            Assert.False(cache.Contains(key, 0));
            Assert.Equal(0, cache.UsedBytes);
            Assert.Empty(Directory.GetFileSystemEntries(_dir.BlocksDirectory()));
            Assert.Equal(FormatText(SmallBlock), File.ReadAllText(Path.Combine(_dir.Path, "FORMAT")));
            Assert.Contains(_log.Records, r => r.EventId == WipeEvent && r.Level == LogLevel.Warning);

            cache.Write(key, 0, Content(key, 0, SmallBlock));
            AssertReads(cache, key, 0);
        }
    }

    [Fact]
    public void Reopen_WithAnotherBlockSize_WipesTheCache()
    {
        var key = Key();
        using (var cache = Open(_dir.Path, 8L * SmallBlockCharge))
        {
            cache.Write(key, 0, Content(key, 0, SmallBlock));
        }

        using var reopened = Open(_dir.Path, 8L << 20, blockSize: 2 * SmallBlock, logger: _log);
        Assert.False(reopened.Contains(key, 0));
        Assert.Empty(Directory.GetFileSystemEntries(_dir.BlocksDirectory()));
        Assert.Equal(1, _log.Count(WipeEvent));
    }

    [Fact]
    public void Reopen_FormatFileMissingButBlocksPresent_Wipes()
    {
        var key = Key();
        using (var cache = Open(_dir.Path, 8L * SmallBlockCharge))
        {
            cache.Write(key, 0, Content(key, 0, SmallBlock));
        }

        File.Delete(Path.Combine(_dir.Path, "FORMAT")); // as a crash in the middle of a wipe leaves it

        using var reopened = Open(_dir.Path, 8L * SmallBlockCharge, logger: _log);
        Assert.False(reopened.Contains(key, 0));
        Assert.Equal(1, _log.Count(WipeEvent));
    }

    [Fact]
    public void Open_LayoutEntriesOfTheWrongKind_AreReplaced()
    {
        Directory.CreateDirectory(Path.Combine(_dir.Path, "FORMAT", "inside"));
        File.WriteAllText(Path.Combine(_dir.Path, "blocks"), "a file where the blocks directory belongs");
        Directory.CreateDirectory(Path.Combine(_dir.Path, "access-order"));

        using var cache = Open(_dir.Path, 8L * SmallBlockCharge, logger: _log);
        var key = Key();
        cache.Write(key, 0, Content(key, 0, SmallBlock));
        AssertReads(cache, key, 0);
        Assert.Equal(FormatText(SmallBlock), File.ReadAllText(Path.Combine(_dir.Path, "FORMAT")));
        Assert.Equal(1, _log.Count(WipeEvent));
    }

    [Fact]
    public void Open_FreshDirectory_CreatesTheLayoutWithoutWarnings()
    {
        var directory = Path.Combine(_dir.Path, "data", "cache");
        using (Open(directory, 8L * SmallBlockCharge, logger: _log))
        {
            Assert.Equal(FormatText(SmallBlock), File.ReadAllText(Path.Combine(directory, "FORMAT")));
            Assert.True(Directory.Exists(Path.Combine(directory, "blocks")));
        }

        Assert.DoesNotContain(_log.Records, r => r.Level >= LogLevel.Warning);
    }

    [Fact]
    public void Open_CorruptAccessOrderFile_IsIgnoredWithAWarning()
    {
        var key = Key();
        using (var cache = Open(_dir.Path, 8L * SmallBlockCharge))
        {
            cache.Write(key, 0, Content(key, 0, SmallBlock));
        }

        var orderFile = Path.Combine(_dir.Path, "access-order");
        var bytes = File.ReadAllBytes(orderFile);
        bytes[14] ^= 0xFF;
        File.WriteAllBytes(orderFile, bytes);

        using var reopened = Open(_dir.Path, 8L * SmallBlockCharge, logger: _log);
        AssertReads(reopened, key, 0);
        Assert.Equal(1, _log.Count(3007));
    }

    [Fact]
    public void Open_DirectoryAlreadyOpen_ThrowsIOException()
    {
        using var first = Open(_dir.Path, 8L * SmallBlockCharge);
        var ex = Assert.Throws<IOException>(() => Open(_dir.Path, 8L * SmallBlockCharge));
        Assert.Contains("another hddfs daemon", ex.Message, StringComparison.Ordinal);

        first.Dispose();
        using var second = Open(_dir.Path, 8L * SmallBlockCharge);
    }

    [Fact]
    public void Reopen_ThousandBlocks_IndexesThemAll()
    {
        const int Count = 1000;
        var keys = Enumerable.Range(0, 10).Select(i => Key(path: $"share/dir/file{i}", size: 100L * SmallBlock)).ToArray();
        var data = new byte[SmallBlock];
        using (var cache = Open(_dir.Path, Count * (long)SmallBlockCharge))
        {
            for (var i = 0; i < Count; i++)
            {
                data[0] = (byte)i;
                cache.Write(keys[i % 10], i / 10, data);
            }
        }

        var stopwatch = Stopwatch.StartNew();
        using var reopened = Open(_dir.Path, Count * (long)SmallBlockCharge);
        stopwatch.Stop();
        output.WriteLine($"reopened {Count} blocks in {stopwatch.Elapsed.TotalMilliseconds:0.0} ms");

        Assert.Equal(Count, reopened.GetStatistics().Blocks);
        Assert.All(keys, k => Assert.Equal(100L * SmallBlock, reopened.CachedBytes(k)));
        var buffer = new byte[SmallBlock];
        Assert.Equal(SmallBlock, reopened.TryRead(keys[3], 42, buffer));
        Assert.Equal(423 % 256, buffer[0]);
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var dir in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        }

        // LOCK is held (flock) by the live cache; a crash would have released it.
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories).Where(f => Path.GetFileName(f) != "LOCK"))
        {
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)), overwrite: true);
        }
    }
}

using System.Diagnostics;
using HddFs.Core;
using HddFs.Testing;
using Xunit.Abstractions;
using static HddFs.Cache.Tests.CacheTestData;

namespace HddFs.Cache.Tests;

public sealed class DiskBlockCacheCapTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _dir = new("hddfs-cache");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Write_OverCapacity_EvictsTheLeastRecentlyUsedAcrossFiles()
    {
        // 5 × 64 KiB holds four blocks of 68 KiB on disk, not five.
        using var cache = Open(_dir.Path, 5L * SmallBlock);
        var a = Key(path: "share/a");
        var b = Key(path: "share/b");
        (FileKey Key, long Index)[] blocks = [(a, 0), (b, 0), (a, 1), (b, 1)];
        foreach (var (key, index) in blocks)
        {
            cache.Write(key, index, Content(key, index, SmallBlock));
        }

        AssertReads(cache, a, 0); // a/0 becomes the most recently used; b/0 is now the oldest
        cache.Write(a, 2, Content(a, 2, SmallBlock));

        Assert.False(cache.Contains(b, 0));
        Assert.True(cache.Contains(a, 0));
        Assert.True(cache.Contains(a, 1));
        Assert.True(cache.Contains(b, 1));
        Assert.True(cache.Contains(a, 2));

        Assert.True(cache.Contains(a, 1)); // Contains does not count as a use
        cache.Write(b, 2, Content(b, 2, SmallBlock));
        Assert.False(cache.Contains(a, 1));
        Assert.Equal(2, cache.GetStatistics().Evictions);
        Assert.Equal(4, BlockFiles(_dir.Path).Length);
        Assert.Equal(4L * SmallBlockCharge, cache.UsedBytes);
    }

    [Fact]
    public void Write_RewriteOfACachedBlock_CountsAsAUse()
    {
        using var cache = Open(_dir.Path, 5L * SmallBlock);
        var key = Key();
        for (var i = 0; i < 4; i++)
        {
            cache.Write(key, i, Content(key, i, SmallBlock));
        }

        cache.Write(key, 0, Content(key, 0, SmallBlock));
        cache.Write(key, 4, Content(key, 4, SmallBlock));

        Assert.True(cache.Contains(key, 0));
        Assert.False(cache.Contains(key, 1));
    }

    /// <summary>
    /// The bar: bytes of block files on disk never above capacity + one block, at any instant, under
    /// concurrent writers and readers of the same and different files (we hold the stricter: never above
    /// capacity). A sampler measures the directory independently of the cache's own accounting.
    /// </summary>
    [Fact]
    public void ConcurrentWritersAndReaders_LoadManyTimesTheCapacity_DiskNeverAboveCap()
    {
        const int BlockSize = DiskBlockCache.DefaultBlockSize;
        const long Capacity = 8L << 20;
        const int Writers = 4;
        const int BlocksPerWriter = 200;
        using var cache = Open(_dir.Path, Capacity, BlockSize);
        const int BlocksPerFile = Writers * BlocksPerWriter / 5;
        FileKey[] files = [.. Enumerable.Range(0, 5).Select(i => Key(path: $"share/movie{i}.mkv", size: (long)BlocksPerFile * BlockSize, peer: (byte)(i % 2)))];

        // Writer w writes blocks i ≡ w (mod Writers) of every file, so writers share files but no block
        // is written twice, and a name on disk never reappears (which keeps the sampler's proof sound).
        using var done = new CancellationTokenSource();
        var violations = new List<string>();
        long conclusiveSamples = 0, inconclusiveSamples = 0, maxSeen = 0;
        var sampler = new Thread(() =>
        {
            while (!done.IsCancellationRequested)
            {
                var sample = SampleDisk(_dir.BlocksDirectory());
                if (sample is null)
                {
                    inconclusiveSamples++;
                    continue;
                }

                conclusiveSamples++;
                maxSeen = Math.Max(maxSeen, sample.Value);
                if (sample.Value > Capacity)
                {
                    lock (violations)
                    {
                        violations.Add($"{sample.Value} bytes on disk > {Capacity}");
                    }
                }
            }
        });
        var readerErrors = 0L;
        long readerHits = 0, readerMisses = 0;
        var readers = Enumerable.Range(0, 2).Select(r => new Thread(() =>
        {
            var random = new Random(r);
            var buffer = new byte[BlockSize];
            var expected = new byte[BlockSize];
            while (!done.IsCancellationRequested)
            {
                var file = random.Next(files.Length);
                var index = random.Next(BlocksPerFile);
                var n = cache.TryRead(files[file], index, buffer);
                FastContent(file, index, expected);
                if (n < 0)
                {
                    Interlocked.Increment(ref readerMisses);
                }
                else if (n != BlockSize || !buffer.AsSpan().SequenceEqual(expected))
                {
                    Interlocked.Increment(ref readerErrors);
                }
                else
                {
                    Interlocked.Increment(ref readerHits);
                }
            }
        })).ToList();
        var writers = Enumerable.Range(0, Writers).Select(w => new Thread(() =>
        {
            var buffer = new byte[BlockSize];
            var data = new byte[BlockSize];
            for (var k = 0; k < BlocksPerWriter; k++)
            {
                var file = k % files.Length;
                var index = (k / files.Length * Writers) + w;
                FastContent(file, index, data);
                cache.Write(files[file], index, data);

                // Read back what was just written, and another block (a use that changes the LRU order).
                cache.TryRead(files[file], index, buffer);
                cache.TryRead(files[(file + 1) % files.Length], Math.Max(0, index - Writers), buffer);
            }
        })).ToList();

        var stopwatch = Stopwatch.StartNew();
        sampler.Start();
        readers.ForEach(t => t.Start());
        writers.ForEach(t => t.Start());
        writers.ForEach(t => t.Join());
        done.Cancel();
        readers.ForEach(t => t.Join());
        sampler.Join();
        stopwatch.Stop();

        var stats = cache.GetStatistics();
        output.WriteLine($"{Writers * BlocksPerWriter} writes of 1 MiB in {stopwatch.Elapsed.TotalSeconds:0.00} s; {stats}");
        output.WriteLine($"sampler: {conclusiveSamples} conclusive samples (+{inconclusiveSamples} inconclusive), max {maxSeen} bytes; readers: {readerHits} hits, {readerMisses} misses");
        Assert.Empty(violations);
        Assert.Equal(0, readerErrors);
        Assert.True(conclusiveSamples >= 50, $"only {conclusiveSamples} conclusive samples");
        Assert.True(stats.Writes + stats.WritesDropped == Writers * BlocksPerWriter, stats.ToString());
        Assert.True(stats.Writes >= Writers * BlocksPerWriter * 9 / 10, $"too many writes dropped: {stats}");
        Assert.True(stats.Evictions >= stats.Writes - 8, stats.ToString());

        // Quiescent: the accounting equals the disk, and the disk is under the cap.
        var lengths = Directory.GetFiles(_dir.BlocksDirectory()).Select(f => new FileInfo(f).Length).ToList();
        Assert.Equal(stats.Blocks, lengths.Count);
        Assert.Equal(cache.UsedBytes, lengths.Sum(l => (l + 4095) / 4096 * 4096));
        Assert.True(cache.UsedBytes <= Capacity);
        Assert.Equal(stats.Blocks * BlockSize, files.Sum(cache.CachedBytes));
        if (AllocatedBytes(_dir.BlocksDirectory()) is { } allocated)
        {
            output.WriteLine($"allocated on disk (st_blocks): {allocated} bytes");
            Assert.True(allocated <= Capacity + BlockSize, $"{allocated} bytes allocated");
        }
    }

    [Fact]
    public void ConcurrentWritersOfTheSameBlocks_StoreEachBlockOnce()
    {
        using var cache = Open(_dir.Path, 64L * SmallBlockCharge);
        var key = Key(size: 16L * SmallBlock);
        var content = Enumerable.Range(0, 16).Select(i => Content(key, i, SmallBlock)).ToArray();
        var wrongReads = 0;
        var threads = Enumerable.Range(0, 4).Select(_ => new Thread(() =>
        {
            var buffer = new byte[SmallBlock];
            for (var round = 0; round < 20; round++)
            {
                for (var i = 0; i < 16; i++)
                {
                    cache.Write(key, i, content[i]);
                    var n = cache.TryRead(key, i, buffer);
                    if (n != -1 && !buffer.AsSpan().SequenceEqual(content[i]))
                    {
                        Interlocked.Increment(ref wrongReads);
                    }
                }
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        Assert.Equal(0, wrongReads);
        Assert.Equal(16, BlockFiles(_dir.Path).Length);
        Assert.Empty(Directory.GetFiles(_dir.BlocksDirectory(), "*.tmp"));
        Assert.Equal(16L * SmallBlockCharge, cache.UsedBytes);
        Assert.Equal(16, cache.GetStatistics().Writes);
        Assert.Equal(16L * SmallBlock, cache.CachedBytes(key));
    }

    /// <summary>Cheap deterministic contents (splitmix64) of block <paramref name="index"/> of file number <paramref name="file"/>.</summary>
    private static void FastContent(int file, long index, Span<byte> destination)
    {
        var state = (ulong)((file * 1_000_003L) + index + 1);
        var words = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ulong>(destination);
        for (var i = 0; i < words.Length; i++)
        {
            state += 0x9E3779B97F4A7C15;
            var z = state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
            words[i] = z ^ (z >> 31);
        }
    }

    /// <summary>
    /// Sum of the lengths of the files in <paramref name="directory"/>, when it is provably a lower bound
    /// of what was on disk at one instant (the end of the listing): every file counted still exists
    /// afterwards, at least as long (files only grow while written, then are renamed or deleted; no name
    /// is reused in the load test). Null when a file changed meanwhile (the sample proves nothing).
    /// </summary>
    private static long? SampleDisk(string directory)
    {
        var seen = new List<(string Path, long Length)>();
        try
        {
            foreach (var info in new DirectoryInfo(directory).EnumerateFiles())
            {
                seen.Add((info.FullName, info.Length));
            }
        }
        catch (IOException)
        {
            return null;
        }

        foreach (var (path, length) in seen)
        {
            var now = new FileInfo(path);
            if (!now.Exists || now.Length < length)
            {
                return null;
            }
        }

        return seen.Sum(s => s.Length);
    }

    /// <summary>Allocated bytes of the files in a directory, from <c>find -printf %b</c> (512-byte units).</summary>
    private static long? AllocatedBytes(string directory)
    {
        if (!TestEnvironment.HasProgram("find"))
        {
            return null;
        }

        var psi = new ProcessStartInfo("find", [directory, "-type", "f", "-printf", "%b\\n"]) { RedirectStandardOutput = true };
        using var process = Process.Start(psi)!;
        var text = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Sum(long.Parse) * 512;
    }
}

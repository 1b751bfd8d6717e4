using System.Diagnostics;
using HddFs.Cache;
using HddFs.Core;
using HddFs.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Win32.SafeHandles;

namespace HddFs.Bench;

/// <summary>
/// The on-disk block cache alone (no mount): warm reads of cached 1 MiB blocks through TryRead beside
/// plain preads of the same bytes from one file; block writes beside sequential writes of one file;
/// the time to reopen a cache of 1,000 blocks.
/// </summary>
internal sealed class CacheBenchmark : IBenchmark
{
    private const int BlockSize = DiskBlockCache.DefaultBlockSize;
    private const int Blocks = 256;

    public string Name => "cache";

    public BenchPhase Phase => BenchPhase.ChurnsFiles;

    public string Description => "block cache: warm TryRead GB/s, write MB/s, reopen time (1 MiB blocks)";

    public Task RunAsync(BenchReport report, CancellationToken cancellationToken)
    {
        using var dir = new TempDirectory("hddfs-bench-cache");
        var key = new FileKey(new PeerId(new byte[PeerId.Length]), SharePath.Parse("share/movie.mkv"), 4096L * BlockSize, 1);
        var data = new byte[BlockSize];
        new Random(1).NextBytes(data);
        var plainFile = Path.Combine(dir.Path, "plain");

        // Writes: Blocks blocks into an empty cache, beside one sequential file of the same size.
        var baselineWrite = Measure(() =>
        {
            using var handle = File.OpenHandle(plainFile, FileMode.Create, FileAccess.Write);
            for (var i = 0; i < Blocks; i++)
            {
                RandomAccess.Write(handle, data, (long)i * BlockSize);
            }
        });
        TimeSpan cacheWrite;
        var cacheDir = Path.Combine(dir.Path, "cache");
        using (var cache = new DiskBlockCache(cacheDir, 2L << 30, NullLogger.Instance, TimeProvider.System))
        {
            cacheWrite = Measure(() =>
            {
                for (var i = 0; i < Blocks; i++)
                {
                    cache.Write(key, i, data);
                }
            });
            report.Compare("cache write, empty cache", "MB/s", Mb(Blocks, cacheWrite), "one plain file", Mb(Blocks, baselineWrite), Better.Higher, bar: null);

            // Warm reads (everything is in the page cache now): best of 5 rounds of 4 passes.
            var buffer = new byte[BlockSize];
            var cacheRead = Best(5, () =>
            {
                for (var pass = 0; pass < 4; pass++)
                {
                    for (var i = 0; i < Blocks; i++)
                    {
                        if (cache.TryRead(key, i, buffer) != BlockSize)
                        {
                            throw new InvalidOperationException($"block {i} missing from a cache with room for all");
                        }
                    }
                }
            });
            using var plain = File.OpenHandle(plainFile);
            var plainRead = Best(5, () => ReadPlain(plain, buffer));
            report.Compare("cache warm read (TryRead, verified)", "GB/s", Gb(4 * Blocks, cacheRead), "pread of a plain file", Gb(4 * Blocks, plainRead), Better.Higher, bar: null);
            report.Absolute("cache warm read (TryRead, verified)", "GB/s", Gb(4 * Blocks, cacheRead), Better.Higher, 2.0);
        }

        // Steady state: a small cache that evicts on every write.
        using (var small = new DiskBlockCache(Path.Combine(dir.Path, "small"), 64L << 20, NullLogger.Instance, TimeProvider.System))
        {
            var evicting = Measure(() =>
            {
                for (var i = 0; i < 4 * Blocks; i++)
                {
                    small.Write(key, i, data);
                }
            });
            report.Absolute("cache write, evicting (64 MiB cap)", "MB/s", Mb(4 * Blocks, evicting), Better.Higher, bar: null);
        }

        // Reopen: 1,000 blocks (256 from above plus 744 more).
        using (var cache = new DiskBlockCache(cacheDir, 2L << 30, NullLogger.Instance, TimeProvider.System))
        {
            for (var i = Blocks; i < 1000; i++)
            {
                cache.Write(key, i, data);
            }
        }

        var reopen = Best(3, () =>
        {
            using var cache = new DiskBlockCache(cacheDir, 2L << 30, NullLogger.Instance, TimeProvider.System);
            if (cache.GetStatistics().Blocks != 1000)
            {
                throw new InvalidOperationException("reopen lost blocks");
            }
        });
        report.Absolute("cache reopen, 1,000 blocks", "ms", reopen.TotalMilliseconds, Better.Lower, 1000);
        return Task.CompletedTask;
    }

    private static void ReadPlain(SafeFileHandle plain, byte[] buffer)
    {
        for (var pass = 0; pass < 4; pass++)
        {
            for (var i = 0; i < Blocks; i++)
            {
                RandomAccess.Read(plain, buffer, (long)i * BlockSize);
            }
        }
    }

    private static TimeSpan Measure(Action action)
    {
        var stopwatch = Stopwatch.StartNew();
        action();
        return stopwatch.Elapsed;
    }

    private static TimeSpan Best(int rounds, Action action)
        => Enumerable.Range(0, rounds).Select(_ => Measure(action)).Min();

    private static double Mb(int blocks, TimeSpan elapsed) => blocks * (double)BlockSize / elapsed.TotalSeconds / 1e6;

    private static double Gb(int blocks, TimeSpan elapsed) => blocks * (double)BlockSize / elapsed.TotalSeconds / 1e9;
}

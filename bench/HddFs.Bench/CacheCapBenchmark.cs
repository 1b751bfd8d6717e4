using System.Globalization;
using HddFs.Bench.Infra;
using HddFs.Testing;

namespace HddFs.Bench;

/// <summary>
/// THE BAR row "cache under load: never above cap + 1 block" (a check, not a speed race): a mount with
/// `--cache-size 256M` reads 1 GiB of files (two one after the other, then two at once) while the size of every
/// file under DATA_DIR/cache is sampled every <see cref="SampleInterval"/>. Reports how far the peak went over the
/// cap; the bar is one block (1 MiB). The last file is then read again under eviction and checked against its
/// SHA-256.
/// </summary>
internal sealed class CacheCapBenchmark : IBenchmark
{
    private const int Files = 4;
    private const long FileSize = 256 * TestData.MiB;
    private const string CapOption = "256M";
    private const long CapBytes = 256 * TestData.MiB; // --cache-size takes binary units (M = MiB).
    private static readonly TimeSpan SampleInterval = TimeSpan.FromMilliseconds(10);

    public string Name => "cache-cap";

    public BenchPhase Phase => BenchPhase.ChurnsFiles;

    public string Description => "mount with --cache-size 256M, read 1 GiB through it, sample the cache size: peak over the cap";

    public async Task RunAsync(BenchReport report, CancellationToken cancellationToken)
    {
        if (!Prerequisites.Check(report, Name, needsRoot: true, "fusermount3", "dd"))
        {
            return;
        }

        _ = HddfsCli.Command(); // fail before writing 1 GiB when there is no CLI to run
        using var data = new TempDirectory("hddfs-bench-cachecap");
        var share = data.Combine("share");
        var hashes = new string[Files];
        for (var i = 0; i < Files; i++)
        {
            hashes[i] = TestData.CreateRandomFile(Path.Combine(share, FileNameOf(i)), FileSize, seed: 10 + (ulong)i);
        }

        await using var party = await HddfsParty.StartAsync(new HddfsPartyOptions { ShareDirectory = share, ClientArguments = ["--cache-size", CapOption] }, cancellationToken);
        var cache = Path.Combine(party.ClientDataDirectory, "cache");
        using (var sampler = new DirectorySizeSampler(cache, SampleInterval))
        {
            DropCaches.Now();
            for (var i = 0; i < 2; i++)
            {
                await Timing.DdAsync(Path.Combine(party.ShareRoot, FileNameOf(i)), FileSize, BaselineReads.ReadTimeout, cancellationToken);
            }

            await Task.WhenAll(Enumerable.Range(2, 2).Select(i => Timing.DdAsync(Path.Combine(party.ShareRoot, FileNameOf(i)), FileSize, BaselineReads.ReadTimeout, cancellationToken)));
            DropCaches.Now();
            var readBack = await TestData.Sha256Async(Path.Combine(party.ShareRoot, FileNameOf(Files - 1)), BaselineReads.ReadTimeout, cancellationToken);
            if (readBack != hashes[Files - 1])
            {
                throw new InvalidOperationException($"bytes read through a full cache differ from the source: sha256 {readBack} vs {hashes[Files - 1]}");
            }

            sampler.Dispose();
            if (!Directory.Exists(cache))
            {
                throw new InvalidOperationException($"{cache} does not exist: where does the daemon keep its block cache?");
            }

            var peak = sampler.PeakBytes;
            if (peak == 0)
            {
                throw new InvalidOperationException($"{cache} never held any bytes while 1 GiB was read: is DATA_DIR/cache where the daemon keeps its blocks?");
            }

            report.Note($"{sampler.Samples} samples of {cache}: peak {Mib(peak)} MiB against a cap of {Mib(CapBytes)} MiB; now {Mib(DirectorySizeSampler.Measure(cache))} MiB; "
                + $"`du -sb`: {ProcessRunner.Run("du", ["-sb", cache]).StandardOutput.Split('\t')[0]} bytes");
            report.Note("verified: sha256 of a file read again under eviction matches the source");
            report.Absolute("max cache size over cap (1 GiB read, --cache-size 256M)", "MiB", Math.Max(0, peak - CapBytes) / (double)TestData.MiB, Better.Lower, 1);
        }
    }

    private static string FileNameOf(int index) => $"part{index}.bin";

    private static string Mib(long bytes) => (bytes / (double)TestData.MiB).ToString("0.0", CultureInfo.InvariantCulture);
}

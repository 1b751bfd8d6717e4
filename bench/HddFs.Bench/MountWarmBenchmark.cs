using HddFs.Bench.Infra;
using HddFs.Testing;

namespace HddFs.Bench;

/// <summary>
/// THE BAR row "warm read (blocks cached on disk) through the mount ≥ 1 GB/s": a 1 GiB file is read once through
/// a fresh mount (filling the block cache), the mounting daemon is stopped and started again on the same data
/// directory (the blocks stay on disk), the page cache is dropped, and the file is read again with dd. Baseline:
/// bindfs of the local source directory, page cache dropped too (the same FUSE path with no network and no cache).
/// The warm read is checked against the source's SHA-256.
/// </summary>
internal sealed class MountWarmBenchmark : IBenchmark
{
    private const string FileName = "big.bin";
    private const long FileSize = TestData.GiB;

    public string Name => "mount-warm";

    public string Description => "read of a 1 GiB file whose blocks are in the on-disk cache (daemon restarted, page cache dropped) vs bindfs";

    public async Task RunAsync(BenchReport report, CancellationToken cancellationToken)
    {
        if (!Prerequisites.Check(report, Name, needsRoot: true, "bindfs", "fusermount3", "dd"))
        {
            return;
        }

        using var data = new TempDirectory("hddfs-bench-warm");
        var share = data.Combine("share");
        var sha256 = TestData.CreateRandomFile(Path.Combine(share, FileName), FileSize, seed: 2);

        var bindfs = await BaselineReads.BindfsAsync(share, FileName, FileSize, cancellationToken);
        report.Note($"bindfs of the local file, page cache dropped: {bindfs}");

        await using var party = await HddfsParty.StartAsync(new HddfsPartyOptions { ShareDirectory = share }, cancellationToken);
        DropCaches.Now();
        var fill = await Timing.DdAsync(Path.Combine(party.ShareRoot, FileName), FileSize, BaselineReads.ReadTimeout, cancellationToken);
        report.Note($"first (cold) read through the mount, filling the block cache: {fill}");

        await party.RestartClientAsync(clientArguments: null, keepCache: true, cancellationToken);
        var throughMount = Path.Combine(party.ShareRoot, FileName);
        DropCaches.Now();
        var warm = await Timing.DdAsync(throughMount, FileSize, BaselineReads.ReadTimeout, cancellationToken);
        report.Note($"after restarting the mounting daemon on the same data directory, page cache dropped: {warm}");
        report.Compare("warm read through the mount (blocks on disk), 1 GiB", "MB/s", warm.MegabytesPerSecond, "bindfs of the local file", bindfs.MegabytesPerSecond, Better.Higher, bar: null);
        report.Absolute("warm read through the mount", "MB/s", warm.MegabytesPerSecond, Better.Higher, 1000);

        DropCaches.Now();
        var readBack = await TestData.Sha256Async(throughMount, BaselineReads.ReadTimeout, cancellationToken);
        if (readBack != sha256)
        {
            throw new InvalidOperationException($"bytes read from the block cache through the mount differ from the source: sha256 {readBack} vs {sha256}");
        }

        report.Note("verified: sha256 of the warm read matches the source");
    }
}

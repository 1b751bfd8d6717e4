using System.Diagnostics;
using HddFs.Bench.Infra;
using HddFs.Testing;

namespace HddFs.Bench;

/// <summary>
/// THE BAR row "cold sequential read of a 1 GiB file on a loopback peer, through the mount ≥ 1.5× sshfs":
/// dd bs=1M of a fresh 1 GiB pseudo-random file through a fresh hddfs mount (empty block cache, page cache
/// dropped), beside sshfs on the same loopback with its default cipher and with aes128-gcm, each on a fresh mount
/// with the page cache dropped. The ratio is against the faster sshfs. The bytes read through the mount are
/// checked against the source's SHA-256 after the timed read.
/// </summary>
internal sealed class MountColdBenchmark : IBenchmark
{
    private const string FileName = "big.bin";
    private const long FileSize = TestData.GiB;

    public string Name => "mount-cold";

    public BenchPhase Phase => BenchPhase.First;

    public string Description => "cold sequential read of 1 GiB from a loopback peer through the mount vs sshfs (default cipher, aes128-gcm)";

    public async Task RunAsync(BenchReport report, CancellationToken cancellationToken)
    {
        if (!Prerequisites.Check(report, Name, needsRoot: true, "sshd", "ssh-keygen", "sshfs", "fusermount3", "dd"))
        {
            return;
        }

        using var data = new TempDirectory("hddfs-bench-cold");
        var share = data.Combine("share");
        var source = Path.Combine(share, FileName);
        var stopwatch = Stopwatch.StartNew();
        var sha256 = TestData.CreateRandomFile(source, FileSize, seed: 1);
        report.Note($"test file: 1 GiB of pseudo-random bytes, written in {Timing.Format(stopwatch.Elapsed.TotalSeconds, "0.0")} s");
        report.Note($"local disk, page cache dropped (context, the ceiling for every cold read): {await BaselineReads.LocalDiskAsync(source, FileSize, cancellationToken)}");

        // Baselines first, so they are printed even when the hddfs half fails.
        ReadThroughput sshfsDefault;
        ReadThroughput sshfsGcm;
        await using (var sshd = await SshdFixture.StartAsync(cancellationToken))
        {
            sshfsDefault = await BaselineReads.SshfsAsync(sshd, share, FileName, FileSize, cipher: null, cancellationToken);
            report.Note($"sshfs, default cipher: {sshfsDefault}");
            sshfsGcm = await BaselineReads.SshfsAsync(sshd, share, FileName, FileSize, SshfsMount.FastCipher, cancellationToken);
            report.Note($"sshfs, {SshfsMount.FastCipher}: {sshfsGcm}");
        }

        var (baselineName, baseline) = sshfsGcm.MegabytesPerSecond >= sshfsDefault.MegabytesPerSecond
            ? ($"sshfs ({SshfsMount.FastCipher})", sshfsGcm)
            : ("sshfs (default cipher)", sshfsDefault);

        await using var party = await HddfsParty.StartAsync(new HddfsPartyOptions { ShareDirectory = share }, cancellationToken);
        var throughMount = Path.Combine(party.ShareRoot, FileName);
        DropCaches.Now();
        var hddfs = await Timing.DdAsync(throughMount, FileSize, BaselineReads.ReadTimeout, cancellationToken);
        report.Note($"hddfs mount, fresh cache: {hddfs}");
        report.Compare("cold sequential read, 1 GiB, loopback peer", "MB/s", hddfs.MegabytesPerSecond, baselineName, baseline.MegabytesPerSecond, Better.Higher, 1.5);

        var readBack = await TestData.Sha256Async(throughMount, BaselineReads.ReadTimeout, cancellationToken);
        if (readBack != sha256)
        {
            throw new InvalidOperationException($"bytes read through the mount differ from the source: sha256 {readBack} vs {sha256}");
        }

        report.Note("verified: sha256 of the file read through the mount matches the source");
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Net;
using HddFs.Bench.Infra;
using HddFs.Testing;

namespace HddFs.Bench;

/// <summary>
/// Reads over a 10 ms round trip (a user-space UDP delay proxy adds 5 ms each way between the two peers; tc netem
/// is not available here). (1) Cold sequential read of a 256 MiB file through the mount with the daemon's default
/// prefetch, beside the same with prefetch disabled (the hidden tuning option `--prefetch-window 0`, used only
/// here), each on a fresh data directory with the page cache dropped. (2) THE BAR row "time to first byte, cold
/// file ≤ 2 round trips + 5 ms": open a file never read before and read its first 4 KiB, timed in this process
/// (no fork/exec in the figure), median of several files, in a directory already listed.
/// </summary>
internal sealed class MountLatencyBenchmark : IBenchmark
{
    private const string FileName = "stream.bin";
    private const long FileSize = 256 * TestData.MiB;
    private const int FirstByteFiles = 7;
    private static readonly TimeSpan OneWayDelay = TimeSpan.FromMilliseconds(5);

    public string Name => "mount-latency";

    public string Description => "10 ms RTT (UDP delay proxy): 256 MiB cold read with vs without prefetch; time to first byte of a cold file";

    public async Task RunAsync(BenchReport report, CancellationToken cancellationToken)
    {
        if (!Prerequisites.Check(report, Name, needsRoot: true, "fusermount3", "dd"))
        {
            return;
        }

        var rtt = 2 * OneWayDelay;
        report.Note($"delay proxy: {Ms(OneWayDelay)} each way (RTT {Ms(rtt)}); measured UDP round trip through it: {Ms(UdpProxyCheck.MedianRoundTrip(OneWayDelay))}");

        using var data = new TempDirectory("hddfs-bench-latency");
        var share = data.Combine("share");
        TestData.CreateRandomFile(Path.Combine(share, FileName), FileSize, seed: 3);
        for (var i = 0; i < FirstByteFiles; i++)
        {
            TestData.CreateRandomFile(Path.Combine(share, "first", $"file{i}.bin"), TestData.MiB, seed: 100 + (ulong)i);
        }

        UdpDelayProxy? proxy = null;
        try
        {
            var options = new HddfsPartyOptions
            {
                ShareDirectory = share,
                DialPort = port =>
                {
                    proxy = new UdpDelayProxy(new IPEndPoint(IPAddress.Loopback, port), OneWayDelay);
                    return proxy.Port;
                },
            };
            await using var party = await HddfsParty.StartAsync(options, cancellationToken);
            if (proxy is not { Forwarded: > 0 })
            {
                throw new InvalidOperationException("no datagram went through the delay proxy: the peers do not talk through it, so nothing here would see the delay");
            }

            // Time to first byte: the page cache is dropped and the directory listed first, so the figure is the
            // open and first read of data never fetched.
            var firstDirectory = Path.Combine(party.ShareRoot, "first");
            DropCaches.Now();
            await Task.Run(() => Directory.GetFiles(firstDirectory), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
            var firstBytes = new List<TimeSpan>();
            for (var i = 0; i < FirstByteFiles; i++)
            {
                firstBytes.Add(await FirstByteAsync(Path.Combine(firstDirectory, $"file{i}.bin"), cancellationToken));
            }

            firstBytes.Sort();
            report.Note("time to first 4 KiB of cold files: " + string.Join(", ", firstBytes.Select(Ms)));
            var bar = 2 * rtt + TimeSpan.FromMilliseconds(5);
            report.Absolute($"time to first byte, cold file, RTT {Ms(rtt)} (bar 2 RTT + 5 ms)", "ms", firstBytes[firstBytes.Count / 2].TotalMilliseconds, Better.Lower, bar.TotalMilliseconds);

            DropCaches.Now();
            var withPrefetch = await Timing.DdAsync(Path.Combine(party.ShareRoot, FileName), FileSize, BaselineReads.ReadTimeout, cancellationToken);
            report.Note($"default prefetch: {withPrefetch}");

            try
            {
                await party.RestartClientAsync(["--prefetch-window", "0"], keepCache: false, cancellationToken);
            }
            catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
            {
                throw new InvalidOperationException($"`hddfs mount --prefetch-window 0` did not start (is the hidden option implemented?): {ex.Message}", ex);
            }

            DropCaches.Now();
            var withoutPrefetch = await Timing.DdAsync(Path.Combine(party.ShareRoot, FileName), FileSize, BaselineReads.ReadTimeout, cancellationToken);
            report.Note($"--prefetch-window 0 (kernel readahead only): {withoutPrefetch}");
            report.Compare($"cold sequential read, 256 MiB, RTT {Ms(rtt)}", "MB/s", withPrefetch.MegabytesPerSecond, "the same without prefetch", withoutPrefetch.MegabytesPerSecond, Better.Higher, bar: null);
            report.Note($"delay proxy: {proxy.Forwarded} datagrams relayed, {proxy.Dropped} dropped at a full queue, {proxy.KernelDrops} dropped by the kernel "
                + "at its full sockets (drops mean the relay, not hddfs, limited the reads above)");
        }
        finally
        {
            proxy?.Dispose();
        }
    }

    private static Task<TimeSpan> FirstByteAsync(string path, CancellationToken cancellationToken)
        => Task.Run(() =>
        {
            var buffer = new byte[4096];
            var started = Stopwatch.GetTimestamp();
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
            if (RandomAccess.Read(handle, buffer, 0) <= 0)
            {
                throw new InvalidOperationException($"no bytes from {path}");
            }

            return Stopwatch.GetElapsedTime(started);
        }, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);

    private static string Ms(TimeSpan value) => value.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture) + " ms";
}

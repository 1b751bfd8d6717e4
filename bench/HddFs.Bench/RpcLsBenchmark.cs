using System.Diagnostics;
using System.Globalization;
using HddFs.Bench.Infra;
using HddFs.Testing;

namespace HddFs.Bench;

/// <summary>
/// Latency of small `ls` RPCs under concurrency: 1,000 listings of a 20-entry directory from a serving daemon
/// (`hddfs start --share`) over loopback, issued by an in-process client peer (<see cref="RpcDirectClient"/>) as
/// 100 concurrent streams (100 workers, 10 requests each, one stream per request). Each request is timed from the
/// call to its last page. Beside it, the same 1,000 requests one at a time on the same connection: the p50/p99 of
/// an unloaded request, and the throughput ratio that concurrency buys (the server runs requests in parallel, not
/// through one queue). A warm-up of 200 requests is not timed.
/// </summary>
internal sealed class RpcLsBenchmark : IBenchmark
{
    private const int Requests = 1000;
    private const int Concurrency = 100;
    private const int Entries = 20;
    private const int WarmUp = 200;

    public string Name => "rpc-ls";

    public string Description => $"p50/p99 latency of {Requests:N0} small `ls` RPCs over {Concurrency} concurrent streams vs one at a time";

    public async Task RunAsync(BenchReport report, CancellationToken cancellationToken)
    {
        using var data = new TempDirectory("hddfs-bench-ls");
        var share = data.Combine("share");
        var directory = Path.Combine(share, "small");
        Directory.CreateDirectory(directory);
        for (var i = 0; i < Entries; i++)
        {
            await File.WriteAllTextAsync(Path.Combine(directory, $"file-{i:D2}.txt"), new string('x', i * 100), cancellationToken);
        }

        await using var party = await HddfsParty.StartAsync(new HddfsPartyOptions { ShareDirectory = share, Mount = false }, cancellationToken);
        await using var client = await RpcDirectClient.ConnectAsync(party.ServerPort, party.Topic, cancellationToken);
        var path = $"{party.ShareName}/small";
        for (var i = 0; i < WarmUp; i++)
        {
            await ListOnceAsync(client, path, cancellationToken);
        }

        var serial = new double[Requests];
        var serialClock = Stopwatch.StartNew();
        for (var i = 0; i < Requests; i++)
        {
            serial[i] = await ListOnceAsync(client, path, cancellationToken);
        }

        var serialRate = Requests / serialClock.Elapsed.TotalSeconds;

        var concurrent = new double[Requests];
        var perWorker = Requests / Concurrency;
        var concurrentClock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(worker => Task.Run(async () =>
        {
            for (var i = 0; i < perWorker; i++)
            {
                concurrent[(worker * perWorker) + i] = await ListOnceAsync(client, path, cancellationToken);
            }
        }, cancellationToken)));
        var concurrentRate = Requests / concurrentClock.Elapsed.TotalSeconds;

        report.Note(Invariant($"one at a time: p50 {Percentile(serial, 0.50):0.00} ms, p99 {Percentile(serial, 0.99):0.00} ms, {serialRate:0} requests/s"));
        report.Note(Invariant($"{Concurrency} concurrent streams: p50 {Percentile(concurrent, 0.50):0.00} ms, p99 {Percentile(concurrent, 0.99):0.00} ms, max {concurrent.Max():0.00} ms, {concurrentRate:0} requests/s"));
        report.Absolute($"ls RPC latency p50, {Concurrency} concurrent streams", "ms", Percentile(concurrent, 0.50), Better.Lower, bar: null);
        report.Absolute($"ls RPC latency p99, {Concurrency} concurrent streams", "ms", Percentile(concurrent, 0.99), Better.Lower, bar: null);
        report.Compare($"ls RPC throughput, {Concurrency} concurrent streams", "requests/s", concurrentRate, "one request at a time", serialRate, Better.Higher, bar: null);
    }

    /// <summary>One listing, checked to hold every entry; its latency in milliseconds.</summary>
    private static async Task<double> ListOnceAsync(RpcDirectClient client, string path, CancellationToken cancellationToken)
    {
        var (entries, elapsed) = await client.ListAsync(path, cancellationToken);
        if (entries != Entries)
        {
            throw new InvalidOperationException($"ls {path} returned {entries} entries, expected {Entries}");
        }

        return elapsed.TotalMilliseconds;
    }

    /// <summary>Nearest-rank percentile.</summary>
    private static double Percentile(double[] samples, double p)
    {
        var sorted = samples.Order().ToArray();
        var rank = (int)Math.Ceiling(p * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

using System.Globalization;
using HddFs.Bench.Infra;
using HddFs.Testing;

namespace HddFs.Bench;

/// <summary>
/// THE BAR row "raw `read` RPC throughput peer to peer ≥ 0.8× TLS 1.3 over TCP (SslStream)". A 1 GiB file, warm in
/// the page cache on the serving side (`hddfs start --share`), is read over loopback two ways: (1) the user's way,
/// `hddfs cat PEER/share/file > /dev/null` through a second daemon (`hddfs start --peer`), which adds the CLI's
/// start-up (printed separately from a 1-byte cat) and the control socket hop, reported without a bar; (2) the raw
/// RPC, from a client peer composed in this process (<see cref="RpcDirectClient"/>), which carries the bar.
/// Baseline: the same bytes over TLS 1.3 on TCP with SslStream, in-process server and client on loopback, 1 MiB
/// buffers. Best of <see cref="Runs"/> for each; the bytes of one extra cat are checked against the source's
/// SHA-256 (untimed).
/// </summary>
internal sealed class RpcReadBenchmark : IBenchmark
{
    private const string FileName = "big.bin";
    private const long FileSize = TestData.GiB;
    private const int Runs = 2;

    public string Name => "rpc-read";

    public string Description => "read RPC throughput, 1 GiB from a loopback peer (raw RPC and `hddfs cat`) vs TLS 1.3 over TCP (SslStream)";

    public async Task RunAsync(BenchReport report, CancellationToken cancellationToken)
    {
        using var data = new TempDirectory("hddfs-bench-rpc");
        var share = data.Combine("share");
        var source = Path.Combine(share, FileName);
        var sha256 = TestData.CreateRandomFile(source, FileSize, seed: 6);
        (await Timing.RunAsync("cat", [source], BaselineReads.ReadTimeout, cancellationToken)).EnsureSuccess("cat (warming the page cache)");

        TlsTransfer? tls = null;
        for (var run = 0; run < Runs; run++)
        {
            var transfer = await TlsFileTransfer.SendAsync(source, cancellationToken);
            if (transfer.Bytes != FileSize)
            {
                throw new InvalidOperationException($"the TLS baseline moved {transfer.Bytes} bytes, expected {FileSize}");
            }

            report.Note($"SslStream TLS 1.3 ({transfer.CipherSuite}), run {run + 1}: {Mbps(transfer.MegabytesPerSecond)}");
            tls = tls is null || transfer.MegabytesPerSecond > tls.MegabytesPerSecond ? transfer : tls;
        }

        await using var party = await HddfsParty.StartAsync(new HddfsPartyOptions { ShareDirectory = share, Mount = false }, cancellationToken);
        var remote = party.RemotePath(FileName);
        var startup = await CatAsync(party, [remote, "--length", "1"], cancellationToken);
        report.Note($"hddfs cat of 1 byte (CLI start-up and one round trip): {startup.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)} ms");

        var best = TimeSpan.MaxValue;
        for (var run = 0; run < Runs; run++)
        {
            var elapsed = await CatAsync(party, [remote], cancellationToken);
            report.Note($"hddfs cat > /dev/null, run {run + 1}: {Mbps(FileSize / elapsed.TotalSeconds / 1e6)}");
            best = elapsed < best ? elapsed : best;
        }

        report.Compare("read RPC, 1 GiB from a loopback peer, via `hddfs cat` (CLI + control socket)", "MB/s", FileSize / best.TotalSeconds / 1e6, "TLS 1.3 over TCP (SslStream)", tls!.MegabytesPerSecond, Better.Higher, bar: null);
        Verify(party, remote, sha256);
        report.Note("verified: sha256 of `hddfs cat` output matches the source");

        var direct = TimeSpan.MaxValue;
        for (var run = 0; run < Runs; run++)
        {
            var (bytes, elapsed) = await RpcDirectClient.ReadAsync(party.ServerPort, party.Topic, $"{party.ShareName}/{FileName}", FileSize, cancellationToken);
            if (bytes != FileSize)
            {
                throw new InvalidOperationException($"the in-process RPC client received {bytes} bytes, expected {FileSize}");
            }

            report.Note($"in-process RPC client (QUIC, no CLI, no control socket), run {run + 1}: {Mbps(FileSize / elapsed.TotalSeconds / 1e6)}");
            direct = elapsed < direct ? elapsed : direct;
        }

        report.Compare("raw read RPC, 1 GiB from a loopback peer (in-process client)", "MB/s", FileSize / direct.TotalSeconds / 1e6, "TLS 1.3 over TCP (SslStream)", tls.MegabytesPerSecond, Better.Higher, 0.8);
    }

    private static async Task<TimeSpan> CatAsync(HddfsParty party, string[] arguments, CancellationToken cancellationToken)
    {
        var (file, prefix) = HddfsCli.Command();
        var run = await Timing.RunAsync(file, [.. prefix, "cat", .. arguments, "--data-dir", party.ClientDataDirectory], BaselineReads.ReadTimeout, cancellationToken);
        return run.EnsureSuccess("hddfs cat").Elapsed;
    }

    private static void Verify(HddfsParty party, string remote, string sha256)
    {
        var (file, prefix) = HddfsCli.Command();
        var result = ProcessRunner.Run("bash", ["-o", "pipefail", "-c", "\"$0\" \"$@\" | sha256sum", file, .. prefix, "cat", remote, "--data-dir", party.ClientDataDirectory], BaselineReads.ReadTimeout)
            .EnsureSuccess("hddfs cat | sha256sum");
        var actual = result.StandardOutput.Split(' ', 2)[0].Trim();
        if (actual != sha256)
        {
            throw new InvalidOperationException($"`hddfs cat` returned different bytes: sha256 {actual} vs {sha256}");
        }
    }

    private static string Mbps(double value) => value.ToString("0", CultureInfo.InvariantCulture) + " MB/s";
}

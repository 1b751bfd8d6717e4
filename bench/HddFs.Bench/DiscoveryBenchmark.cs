using System.Diagnostics;
using HddFs.Bench.Infra;
using HddFs.Daemon.Control;
using HddFs.Testing;

namespace HddFs.Bench;

/// <summary>
/// Time from a daemon's start to its first connection with a peer it was never told about: over mDNS
/// on a shared LAN (bar ≤ 2 s) and over MQTT across a router with the broker already reachable
/// (bar ≤ 5 s). Each daemon runs in its own network namespace; nothing leaves the lab. The clock starts
/// just before the second daemon's process is launched, so .NET start-up is included.
/// </summary>
internal sealed class DiscoveryBenchmark : IBenchmark
{
    private const int Runs = 3;

    public string Name => "discovery";

    public string Description => "start → first connection via mDNS (bar ≤ 2 s) and via MQTT (bar ≤ 5 s), in network namespaces";

    public async Task RunAsync(BenchReport report, CancellationToken cancellationToken)
    {
        if (!Prerequisites.Check(report, Name, needsRoot: true, "ip", "nft", "nsenter", "mosquitto"))
        {
            return;
        }

        using var lab = new NetworkNamespaceLab();
        using var root = new TempDirectory("hddfs-bdisc");

        var lan = lab.AddSwitch("lan");
        var mdnsA = lab.AddHost("ma", lan, "10.93.0.2/24");
        var mdnsB = lab.AddHost("mb", lan, "10.93.0.3/24");
        var mdns = await MeasureAsync(root, "mdns", mdnsA, mdnsB, ["--no-mqtt"], ["--no-mqtt"], cancellationToken);
        report.Absolute("mDNS: start → connected (median of 3)", "s", mdns.Connected, Better.Lower, 2);
        report.Note($"mDNS: start → control API ready {mdns.Ready:0.000} s; discovery + dial + hello after that {mdns.Connected - mdns.Ready:0.000} s");

        var lan1 = lab.AddSwitch("l1");
        var lan2 = lab.AddSwitch("l2");
        var router = lab.AddRouter("r", lan1, "10.94.1.1/24", lan2, "10.94.2.1/24", RouterNat.None);
        var mqttA = lab.AddHost("qa", lan1, "10.94.1.2/24", gateway: "10.94.1.1");
        var mqttB = lab.AddHost("qb", lan2, "10.94.2.2/24", gateway: "10.94.2.1");
        using var broker = new NamespacedBroker(router);
        var mqtt = await MeasureAsync(
            root,
            "mqtt",
            mqttA,
            mqttB,
            ["--no-mdns", "--mqtt", $"mqtt://10.94.1.1:{broker.Port}"],
            ["--no-mdns", "--mqtt", $"mqtt://10.94.2.1:{broker.Port}"],
            cancellationToken);
        report.Absolute("MQTT: start → connected (median of 3)", "s", mqtt.Connected, Better.Lower, 5);
        report.Note($"MQTT: start → control API ready {mqtt.Ready:0.000} s; discovery + dial + hello after that {mqtt.Connected - mqtt.Ready:0.000} s");
    }

    private static async Task<(double Ready, double Connected)> MeasureAsync(
        TempDirectory root, string kind, NetworkNamespace hostA, NetworkNamespace hostB, string[] argsA, string[] argsB, CancellationToken cancellationToken)
    {
        var topic = "bench-" + kind;
        var first = Start(root, $"{kind}-a", hostA, topic, argsA);
        try
        {
            await WaitAsync(Path.Combine(root.Path, $"{kind}-a"), _ => true, cancellationToken);
            var ready = new List<double>();
            var connected = new List<double>();
            for (var run = 0; run < Runs; run++)
            {
                var data = Path.Combine(root.Path, $"{kind}-b{run}");
                var watch = Stopwatch.StartNew();
                var second = Start(root, $"{kind}-b{run}", hostB, topic, argsB);
                try
                {
                    ready.Add(await WaitAsync(data, _ => true, cancellationToken, watch));
                    connected.Add(await WaitAsync(data, peers => peers.Any(p => !p.Self && p.Connected), cancellationToken, watch));
                }
                finally
                {
                    await StopAsync(second);
                }
            }

            return (Median(ready), Median(connected));
        }
        finally
        {
            await StopAsync(first);
        }
    }

    /// <summary>Kills a daemon this bench started (by PID) and waits for it, so no daemon outlives the run.</summary>
    private static async Task StopAsync(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        await process.WaitForExitAsync(CancellationToken.None);
    }

    private static Process Start(TempDirectory root, string role, NetworkNamespace ns, string topic, string[] discovery)
    {
        var (file, prefix) = HddfsCli.Command();
        var data = Path.Combine(root.Path, role);
        var process = ns.StartProcess(file, [.. prefix, "start", "--topic", topic, "--port", "4433", "--data-dir", data, .. discovery], psi =>
        {
            psi.RedirectStandardOutput = true;
            psi.RedirectStandardError = true;
        });
        // Drain the daemon's log so it can never block on a full pipe (and never holds ours open).
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Polls the daemon's control API until <paramref name="condition"/> holds; returns the elapsed seconds.</summary>
    private static async Task<double> WaitAsync(string dataDirectory, Func<PeerStatus[], bool> condition, CancellationToken cancellationToken, Stopwatch? watch = null)
    {
        using var client = new ControlClient(ControlSocket.PathFor(dataDirectory), TimeSpan.FromSeconds(5));
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            try
            {
                if (condition(await client.GetPeersAsync(cancellationToken)))
                {
                    return watch?.Elapsed.TotalSeconds ?? 0;
                }
            }
            catch (ControlException)
            {
                // not up yet
            }

            await Task.Delay(10, cancellationToken);
        }

        throw new TimeoutException($"the daemon in {dataDirectory} did not get there within 60 s");
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }
}

using System.Diagnostics;
using System.Globalization;
using HddFs.Bench.Infra;
using HddFs.Testing;

namespace HddFs.Bench;

/// <summary>
/// THE BAR row "peer vanishes mid-read of uncached data: EIO ≤ 5 s, cached data still served". A dd reads a 1 GiB
/// file through the mount; after <see cref="KillAfter"/> the serving daemon is SIGKILLed and the time until dd fails
/// is measured. Then, with the page cache dropped, a small file read fully before the loss must still read correctly
/// from the block cache. The same is repeated with the server frozen (SIGSTOP: no ICMP, no close, like a pulled
/// cable), the harder case. Baseline: sshfs with its defaults, its sshd session frozen the same way mid-read — the
/// reader is still blocked when the bench gives up after <see cref="SshfsPatience"/> (sshfs hangs).
/// </summary>
internal sealed class MountVanishBenchmark : IBenchmark
{
    private const string BigFile = "big.bin";
    private const string SmallFile = "small.bin";
    private const long BigSize = TestData.GiB;
    private const long SmallSize = 8 * TestData.MiB;
    private const long KillAfter = 64 * TestData.MiB;
    private static readonly TimeSpan SshfsPatience = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan HddfsPatience = TimeSpan.FromSeconds(30);

    public string Name => "mount-vanish";

    public string Description => "peer killed/frozen mid-read: time until the uncached read fails; cached file still served (sshfs hangs)";

    public async Task RunAsync(BenchReport report, CancellationToken cancellationToken)
    {
        if (!Prerequisites.Check(report, Name, needsRoot: true, "sshd", "ssh-keygen", "sshfs", "fusermount3", "dd"))
        {
            return;
        }

        using var data = new TempDirectory("hddfs-bench-vanish");
        var share = data.Combine("share");
        TestData.CreateRandomFile(Path.Combine(share, BigFile), BigSize, seed: 4);
        var smallSha = TestData.CreateRandomFile(Path.Combine(share, SmallFile), SmallSize, seed: 5);

        await SshfsBaselineAsync(report, share, cancellationToken);

        var killed = await HddfsAsync(report, share, "KILL", smallSha, cancellationToken);
        if (killed is { } k)
        {
            report.Absolute("uncached read after peer loss (SIGKILL) fails within", "s", k, Better.Lower, 5);
        }

        var frozen = await HddfsAsync(report, share, "STOP", smallSha, cancellationToken);
        if (frozen is { } f)
        {
            report.Absolute("uncached read after peer freeze (SIGSTOP) fails within", "s", f, Better.Lower, 5);
        }

        if (killed is null || frozen is null)
        {
            throw new InvalidOperationException("dd read the whole file after the peer was lost, so no uncached read was measured (see above)");
        }
    }

    private static async Task SshfsBaselineAsync(BenchReport report, string share, CancellationToken cancellationToken)
    {
        await using var sshd = await SshdFixture.StartAsync(cancellationToken);
        await using var sshfs = await SshfsMount.MountAsync(sshd, share, cipher: null, cancellationToken);
        DropCaches.Now();
        await using var reader = StartReader(Path.Combine(sshfs.MountPoint, BigFile));
        await WaitForProgressAsync(reader, cancellationToken);
        var sessions = sshd.SessionPids();
        foreach (var pid in sessions)
        {
            ProcessRunner.TryRun("kill", ["-s", "STOP", pid.ToString(CultureInfo.InvariantCulture)]);
        }

        var frozenAt = Stopwatch.GetTimestamp();
        await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken); // what was in flight drains
        var readBefore = ProcessTree.BytesRead(reader.Pid);
        var failed = await reader.WaitForExitAsync(SshfsPatience - TimeSpan.FromSeconds(1), cancellationToken);
        var progress = failed ? 0 : ProcessTree.BytesRead(reader.Pid) - readBefore;
        report.Note(failed
            ? $"sshfs (defaults), sshd session frozen mid-read: dd ended after {Seconds(Stopwatch.GetElapsedTime(frozenAt))} (exit {reader.ExitCode})"
            : $"sshfs (defaults), sshd session frozen mid-read: dd still blocked after {Seconds(SshfsPatience)}, {progress} bytes read in the last "
                + $"{Seconds(SshfsPatience - TimeSpan.FromSeconds(1))} (sshfs hangs; gave up)");

        // Release: kill the frozen sessions (the reader then fails), then the mount and sshd go in dispose.
        foreach (var pid in sessions)
        {
            ProcessRunner.TryRun("kill", ["-s", "KILL", pid.ToString(CultureInfo.InvariantCulture)]);
        }

        await reader.WaitForExitAsync(TimeSpan.FromSeconds(5), cancellationToken);
    }

    /// <summary>Returns the seconds from the peer's loss to dd's failure (the patience when it never failed), or null
    /// when dd finished reading (everything had been fetched before the loss: nothing measured).</summary>
    private static async Task<double?> HddfsAsync(BenchReport report, string share, string signal, string smallSha, CancellationToken cancellationToken)
    {
        await using var party = await HddfsParty.StartAsync(new HddfsPartyOptions { ShareDirectory = share }, cancellationToken);
        var small = Path.Combine(party.ShareRoot, SmallFile);
        if (await TestData.Sha256Async(small, TimeSpan.FromSeconds(60), cancellationToken) != smallSha)
        {
            throw new InvalidOperationException("the small file read through the mount differs from the source");
        }

        DropCaches.Now();
        await using var reader = StartReader(Path.Combine(party.ShareRoot, BigFile));
        await WaitForProgressAsync(reader, cancellationToken);
        if (signal == "KILL")
        {
            party.Server.Process.Kill();
        }
        else
        {
            party.Server.Process.Signal(signal);
        }

        var lostAt = Stopwatch.GetTimestamp();
        var what = signal == "KILL" ? "serving peer killed (SIGKILL)" : "serving peer frozen (SIGSTOP)";
        if (!await reader.WaitForExitAsync(HddfsPatience, cancellationToken))
        {
            report.Note($"hddfs, {what}: dd still blocked after {Seconds(HddfsPatience)} (gave up; cached file not checked)");

            // A read already sent to the daemon waits uninterruptibly: only an answer or the end of the FUSE
            // connection frees dd, so kill the peers before dd is disposed.
            party.Server.Process.Kill();
            if (!await reader.WaitForExitAsync(TimeSpan.FromSeconds(5), cancellationToken))
            {
                party.Client.Process.Kill();
            }

            return HddfsPatience.TotalSeconds;
        }

        double? seconds = Stopwatch.GetElapsedTime(lostAt).TotalSeconds;
        var error = reader.RecentOutput.Split('\n').FirstOrDefault(l => l.StartsWith("dd:", StringComparison.Ordinal)) ?? "(no error message)";
        if (reader.ExitCode == 0)
        {
            report.Note($"hddfs, {what}: dd read the whole file after {Timing.Format(seconds.Value, "0.00")} s: everything was fetched before the loss, nothing measured");
            seconds = null;
        }
        else
        {
            report.Note($"hddfs, {what}: dd failed after {Timing.Format(seconds.Value, "0.00")} s: {error}");
        }

        DropCaches.Now();
        string cached;
        try
        {
            var started = Stopwatch.GetTimestamp();
            var sha = await TestData.Sha256Async(small, TimeSpan.FromSeconds(15), cancellationToken);
            cached = sha == smallSha ? $"ok (sha256 matches, {Timing.Format(Stopwatch.GetElapsedTime(started).TotalMilliseconds, "0")} ms)" : "failed (wrong bytes)";
        }
        catch (Exception ex) when (ex is IOException or TimeoutException or UnauthorizedAccessException)
        {
            cached = $"failed ({ex.GetType().Name}: {ex.Message})";
        }

        report.Note($"hddfs, {what}: cached {SmallSize / TestData.MiB} MiB file read again with the page cache dropped: {cached}");
        party.Server.Process.Kill();
        return seconds;
    }

    private static ChildProcess StartReader(string path) => ChildProcess.Start("dd", "dd", [$"if={path}", "of=/dev/null", "bs=1M"]);

    private static async Task WaitForProgressAsync(ChildProcess reader, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (ProcessTree.BytesRead(reader.Pid) < KillAfter)
        {
            reader.ThrowIfExited();
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"dd did not read {KillAfter / TestData.MiB} MiB within 60 s");
            }

            await Task.Delay(5, cancellationToken);
        }
    }

    private static string Seconds(TimeSpan value) => value.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture) + " s";
}

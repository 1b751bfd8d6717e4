using System.Diagnostics;
using System.Globalization;

namespace HddFs.Bench.Infra;

/// <summary>One timed run of a real process (the same kernel path a user's `dd`, `cat` or `ls` takes).</summary>
internal sealed record TimedRun(int ExitCode, TimeSpan Elapsed, string StandardError)
{
    public TimedRun EnsureSuccess(string what)
        => ExitCode == 0 ? this : throw new InvalidOperationException($"{what} exited with {ExitCode}: {StandardError.Trim()}");
}

/// <summary>A sequential read measured with dd.</summary>
internal sealed record ReadThroughput(long Bytes, TimeSpan Elapsed)
{
    public double MegabytesPerSecond => Bytes / Elapsed.TotalSeconds / 1e6;

    public override string ToString()
        => string.Create(CultureInfo.InvariantCulture, $"{Bytes / (double)TestData.MiB:0} MiB in {Elapsed.TotalSeconds:0.00} s = {MegabytesPerSecond:0} MB/s");
}

/// <summary>Runs commands and measures their wall time, from just before the fork to the exit.</summary>
internal static class Timing
{
    /// <summary>Runs FILE ARGS with stdout to /dev/null (through `sh -c 'exec ... >/dev/null'`, so nothing is
    /// copied into this process) and stderr captured. Killed (SIGKILL) after <paramref name="timeout"/> or on
    /// cancellation.</summary>
    public static async Task<TimedRun> RunAsync(string file, IEnumerable<string> arguments, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var psi = new ProcessStartInfo("/bin/sh", ["-c", "exec \"$0\" \"$@\" > /dev/null", file, .. arguments])
        {
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.Environment["LC_ALL"] = "C";
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        var stopwatch = Stopwatch.StartNew();
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}");
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: false);
            await process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
            cancellationToken.ThrowIfCancellationRequested();
            throw new TimeoutException($"{file} {string.Join(' ', arguments)} did not finish within {timeout.TotalSeconds:0} s (killed)");
        }

        var elapsed = stopwatch.Elapsed;
        return new TimedRun(process.ExitCode, elapsed, await stderr);
    }

    /// <summary>`dd if=PATH of=/dev/null bs=1M`: checks that dd copied <paramref name="expectedBytes"/> and
    /// returns the throughput over the whole process lifetime.</summary>
    public static async Task<ReadThroughput> DdAsync(string path, long expectedBytes, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var run = (await RunAsync("dd", [$"if={path}", "of=/dev/null", "bs=1M"], timeout, cancellationToken)).EnsureSuccess($"dd if={path}");
        var copied = DdBytes(run.StandardError);
        if (copied != expectedBytes)
        {
            throw new InvalidOperationException($"dd read {copied} bytes of {path}, expected {expectedBytes}: {run.StandardError.Trim()}");
        }

        return new ReadThroughput(copied, run.Elapsed);
    }

    /// <summary>The byte count from dd's summary line ("N bytes (...) copied, ..."), or -1.</summary>
    public static long DdBytes(string standardError)
    {
        foreach (var line in standardError.Split('\n'))
        {
            var space = line.IndexOf(" bytes", StringComparison.Ordinal);
            if (space > 0 && long.TryParse(line.AsSpan(0, space), NumberStyles.None, CultureInfo.InvariantCulture, out var bytes))
            {
                return bytes;
            }
        }

        return -1;
    }

    public static string Format(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}

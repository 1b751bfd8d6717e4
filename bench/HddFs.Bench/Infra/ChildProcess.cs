using System.Diagnostics;
using System.Globalization;
using HddFs.Testing;

namespace HddFs.Bench.Infra;

/// <summary>
/// A long-running process this bench started (sshd, sshfs -f, bindfs -f, an hddfs daemon). Keeps the last
/// lines of its output for error messages. Signals go to its PID only; dispose stops it with SIGTERM, then
/// SIGKILL after a grace period.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private const int KeptLines = 60;

    private readonly Process _process;
    private readonly Queue<string> _lines = new();

    private ChildProcess(Process process, string name)
    {
        _process = process;
        Name = name;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Name { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>The last lines the process wrote (stdout and stderr interleaved).</summary>
    public string RecentOutput
    {
        get
        {
            lock (_lines)
            {
                return string.Join('\n', _lines);
            }
        }
    }

    public static ChildProcess Start(string name, string file, IEnumerable<string> arguments)
    {
        var psi = new ProcessStartInfo(file, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        psi.Environment["LC_ALL"] = "C";
        var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}");
        return new ChildProcess(process, name);
    }

    /// <summary>Sends a signal (TERM, KILL, STOP, CONT...) to this process only.</summary>
    public void Signal(string signal)
    {
        if (!_process.HasExited)
        {
            ProcessRunner.TryRun("kill", ["-s", signal, Pid.ToString(CultureInfo.InvariantCulture)]);
        }
    }

    /// <summary>SIGKILL, like a crash or a pulled plug; waits until it is gone.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            try
            {
                _process.Kill(entireProcessTree: false);
            }
            catch (InvalidOperationException)
            {
            }

            _process.WaitForExit(10_000);
        }
    }

    public async Task<bool> WaitForExitAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>SIGTERM, then SIGKILL when it has not exited within <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (_process.HasExited)
        {
            return;
        }

        Signal("TERM");
        if (!await WaitForExitAsync(grace))
        {
            Kill();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync(TimeSpan.FromSeconds(10));
        }
        finally
        {
            Kill();
            _process.Dispose();
        }
    }

    /// <summary>Throws with the recent output when the process has already exited.</summary>
    public void ThrowIfExited()
    {
        if (_process.HasExited)
        {
            throw new InvalidOperationException($"{Name} exited with {_process.ExitCode}:\n{RecentOutput}");
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lines)
        {
            _lines.Enqueue(line);
            while (_lines.Count > KeptLines)
            {
                _lines.Dequeue();
            }
        }
    }
}

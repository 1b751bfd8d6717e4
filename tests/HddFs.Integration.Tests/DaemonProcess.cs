using System.Diagnostics;
using System.Text;
using HddFs.Daemon.Control;
using HddFs.Testing;

namespace HddFs.Integration.Tests;

/// <summary>
/// A real `hddfs start`/`hddfs mount` process with its own data directory. Output is captured for
/// failure messages. Dispose stops it with SIGTERM, then SIGKILL (by PID, only this process), and
/// lazily unmounts its mount point if it left one.
/// </summary>
public sealed class DaemonProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly string? _mountPoint;

    private DaemonProcess(Process process, string dataDirectory, string? mountPoint)
    {
        _process = process;
        DataDirectory = dataDirectory;
        _mountPoint = mountPoint;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string DataDirectory { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public ControlClient Control() => new(ControlSocket.PathFor(DataDirectory), TimeSpan.FromSeconds(30));

    /// <summary>Starts `hddfs VERB ARGS --data-dir DIR` (optionally inside a network namespace via nsenter) and
    /// waits until its control socket answers.</summary>
    public static async Task<DaemonProcess> StartAsync(string dataDirectory, IEnumerable<string> arguments, string? mountPoint = null, string? netns = null, TimeSpan? timeout = null)
    {
        var (file, prefix) = HddfsBinary.Command();
        var args = new List<string>();
        if (netns is not null)
        {
            args.AddRange(["--net=/run/netns/" + netns, "--", file]);
            file = "nsenter";
        }

        args.AddRange(prefix);
        args.AddRange(arguments);
        args.AddRange(["--data-dir", dataDirectory]);
        var psi = new ProcessStartInfo(file, args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start hddfs");
        var daemon = new DaemonProcess(process, dataDirectory, mountPoint);
        try
        {
            await daemon.WaitReadyAsync(timeout ?? TimeSpan.FromSeconds(30));
        }
        catch
        {
            await daemon.DisposeAsync();
            throw;
        }

        return daemon;
    }

    public async Task WaitReadyAsync(TimeSpan timeout)
    {
        using var client = Control();
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"hddfs exited with {_process.ExitCode} before it was ready:\n{Output}");
            }

            try
            {
                await client.GetIdentityAsync(CancellationToken.None);
                return;
            }
            catch (ControlException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
            catch (ControlException ex)
            {
                throw new TimeoutException($"hddfs was not ready within {timeout}: {ex.Message}\n{Output}", ex);
            }
        }
    }

    /// <summary>Stops the daemon abruptly (SIGKILL), like a crash or a pulled cable.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: false);
            _process.WaitForExit(10_000);
        }
    }

    /// <summary>SIGTERM and wait for a clean exit; returns the exit code.</summary>
    public async Task<int> StopAsync(TimeSpan? timeout = null)
    {
        if (!_process.HasExited)
        {
            Signal(_process.Id, 15);
            using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
            try
            {
                await _process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                Kill();
            }
        }

        return _process.ExitCode;
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
            if (_mountPoint is not null)
            {
                ProcessRunner.TryRun("umount", ["-l", _mountPoint]);
            }

            _process.Dispose();
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private static void Signal(int pid, int signal) => ProcessRunner.TryRun("kill", [$"-{signal}", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
}

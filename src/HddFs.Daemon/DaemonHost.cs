using System.Runtime.InteropServices;
using HddFs.Daemon.Control;
using HddFs.Peers.Identity;
using Microsoft.Extensions.Logging;

namespace HddFs.Daemon;

/// <summary>
/// Runs a daemon in the foreground for `hddfs start` / `hddfs mount`: starts it, waits for SIGINT or
/// SIGTERM (or for the mount to go away), then shuts down cleanly. Returns the process exit code.
/// </summary>
public static class DaemonHost
{
    public static async Task<int> RunAsync(DaemonOptions options, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var logger = loggerFactory.CreateLogger("hddfs");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle);
        using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, Handle);

        Daemon daemon;
        try
        {
            daemon = await Daemon.StartAsync(options, loggerFactory, stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return 130;
        }
        catch (Exception ex) when (IsUserError(ex))
        {
            await Console.Error.WriteLineAsync("hddfs: " + ex.Message);
            return 1;
        }

        await using (daemon)
        {
            try
            {
                await daemon.Stopped.WaitAsync(stop.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }

        Log.Stopped(logger);
        return 0;

        void Handle(PosixSignalContext context)
        {
            context.Cancel = true; // we shut down ourselves
            stop.Cancel();
        }
    }

    /// <summary>Failures the user can fix (bad directory, port in use, corrupt key...): one line, no stack.</summary>
    private static bool IsUserError(Exception ex)
        => ex is IdentityException or ControlException or IOException or UnauthorizedAccessException
            or InvalidDataException or ArgumentException or InvalidOperationException
            || ex.GetType().Name is "QuicException" or "FuseException";
}

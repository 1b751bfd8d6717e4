using System.Collections.Concurrent;
using System.Diagnostics;
using HddFs.Testing;

namespace HddFs.Fuse.Tests;

/// <summary>
/// A filesystem mounted in a fresh temp directory for one test. Disposing unmounts and waits for the
/// session to end; if anything is left (a failed test), it lazily unmounts with umount -l, so no
/// test leaves a mount behind even on failure.
/// </summary>
internal sealed class MountedFileSystem : IAsyncDisposable
{
    private readonly TempDirectory _directory;

    private MountedFileSystem(TempDirectory directory, FuseSession session, FuseFileSystem fileSystem, ConcurrentQueue<(FuseLogLevel, string, Exception?)> log)
    {
        _directory = directory;
        Session = session;
        FileSystem = fileSystem;
        Log = log;
    }

    public FuseSession Session { get; }

    public FuseFileSystem FileSystem { get; }

    public string MountPoint => Session.MountPoint!;

    /// <summary>Everything the session logged (it logs straight into this queue, from any thread).</summary>
    public ConcurrentQueue<(FuseLogLevel Level, string Message, Exception? Exception)> Log { get; }

    public static MountedFileSystem Mount(FuseFileSystem fileSystem, FuseMountOptions? options = null)
    {
        var directory = new TempDirectory("hddfs-fuse");
        var log = new ConcurrentQueue<(FuseLogLevel, string, Exception?)>();
        options ??= new FuseMountOptions();
        var withLog = new FuseMountOptions
        {
            FsName = options.FsName ?? "hddfs-test",
            Subtype = options.Subtype ?? "hddfstest",
            AllowOther = options.AllowOther,
            DefaultPermissions = options.DefaultPermissions,
            ReadOnly = options.ReadOnly,
            MaxRead = options.MaxRead,
            ReadAheadKb = options.ReadAheadKb,
            MaxBackground = options.MaxBackground,
            ReaderThreads = options.ReaderThreads,
            ReadDirPlus = options.ReadDirPlus,
            Method = options.Method,
            Debug = options.Debug,
            UnmountTimeout = options.UnmountTimeout,
            Log = (level, message, exception) => log.Enqueue((level, message, exception)),
        };
        try
        {
            var session = FuseMount.Mount(directory.Path, withLog, fileSystem);
            return new MountedFileSystem(directory, session, fileSystem, log);
        }
        catch
        {
            directory.Dispose();
            throw;
        }
    }

    public string this[string relative] => Path.Combine(MountPoint, relative);

    public IEnumerable<string> Errors => Log.Where(e => e.Level == FuseLogLevel.Error).Select(e => e.Message + (e.Exception is null ? "" : ": " + e.Exception.Message));

    public bool TraceContains(string text) => Log.Any(e => e.Level == FuseLogLevel.Trace && e.Message.Contains(text, StringComparison.Ordinal));

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Task.Run(Session.Unmount).WaitAsync(TimeSpan.FromSeconds(30));
            await Session.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        }
        finally
        {
            if (MountTable.FindFuse(MountPoint) is not null)
            {
                using var umount = Process.Start("umount", ["-l", MountPoint]);
                await umount.WaitForExitAsync();
            }

            _directory.Dispose();
        }
    }
}

/// <summary>Runs a program to completion (bounded) and returns what it printed.</summary>
internal static class Run
{
    public static async Task<(int Exit, string Output, string Errors)> Program(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in 60 s");
        }

        return (process.ExitCode, await output, await errors);
    }
}

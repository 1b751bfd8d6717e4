using HddFs.Testing;

namespace HddFs.Bench.Infra;

/// <summary>
/// A FUSE file system run by a foreground child process the bench owns by PID (bindfs, sshfs), mounted on a fresh
/// directory of its own. Dispose unmounts (fusermount3 -u, then lazily), stops the process (killing it after 5 s)
/// and removes the directory.
/// </summary>
internal sealed class ProcessFuseMount : IAsyncDisposable
{
    private readonly TempDirectory _directory;

    private ProcessFuseMount(TempDirectory directory, ChildProcess process, string mountPoint)
    {
        _directory = directory;
        Process = process;
        MountPoint = mountPoint;
    }

    /// <summary>The mount point; the file system's root appears directly under it.</summary>
    public string MountPoint { get; }

    public ChildProcess Process { get; }

    /// <summary>Starts <paramref name="program"/> with the arguments <paramref name="arguments"/> builds for a fresh mount
    /// point, and waits (at most 20 s) until the mount appears.</summary>
    public static async Task<ProcessFuseMount> MountAsync(string program, Func<string, IReadOnlyList<string>> arguments, CancellationToken cancellationToken)
    {
        var directory = new TempDirectory($"hddfs-bench-{program}");
        var mountPoint = directory.Combine("mnt");
        Directory.CreateDirectory(mountPoint);
        var process = ChildProcess.Start(program, Prerequisites.FindExecutable(program) ?? program, [.. arguments(mountPoint)]);
        var mount = new ProcessFuseMount(directory, process, mountPoint);
        try
        {
            await MountTable.WaitMountedAsync(mountPoint, process, TimeSpan.FromSeconds(20), cancellationToken);
            return mount;
        }
        catch
        {
            await mount.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (MountTable.IsMounted(MountPoint))
            {
                ProcessRunner.TryRun("fusermount3", ["-u", MountPoint]);
            }

            if (!await Process.WaitForExitAsync(TimeSpan.FromSeconds(5)))
            {
                Process.Kill();
            }
        }
        finally
        {
            MountTable.LazyUnmount(MountPoint);
            await Process.DisposeAsync();
            _directory.Dispose();
        }
    }
}

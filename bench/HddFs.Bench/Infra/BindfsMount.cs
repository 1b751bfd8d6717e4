using HddFs.Testing;

namespace HddFs.Bench.Infra;

/// <summary>`bindfs -f SOURCE MP`: a local directory seen through FUSE (the warm-read baseline: the same kernel
/// path as the hddfs mount, no network). Dispose unmounts and stops bindfs.</summary>
internal sealed class BindfsMount : IAsyncDisposable
{
    private readonly TempDirectory _directory;
    private readonly ChildProcess _bindfs;

    private BindfsMount(TempDirectory directory, ChildProcess bindfs, string mountPoint)
    {
        _directory = directory;
        _bindfs = bindfs;
        MountPoint = mountPoint;
    }

    public string MountPoint { get; }

    public static async Task<BindfsMount> MountAsync(string source, CancellationToken cancellationToken)
    {
        var directory = new TempDirectory("hddfs-bench-bindfs");
        var mountPoint = directory.Combine("mnt");
        Directory.CreateDirectory(mountPoint);
        var bindfs = ChildProcess.Start("bindfs", Prerequisites.FindExecutable("bindfs") ?? "bindfs", ["-f", source, mountPoint]);
        var mount = new BindfsMount(directory, bindfs, mountPoint);
        try
        {
            await MountTable.WaitMountedAsync(mountPoint, bindfs, TimeSpan.FromSeconds(20), cancellationToken);
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

            if (!await _bindfs.WaitForExitAsync(TimeSpan.FromSeconds(5)))
            {
                _bindfs.Kill();
            }
        }
        finally
        {
            MountTable.LazyUnmount(MountPoint);
            await _bindfs.DisposeAsync();
            _directory.Dispose();
        }
    }
}

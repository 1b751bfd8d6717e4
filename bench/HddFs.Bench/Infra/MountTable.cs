using HddFs.Testing;

namespace HddFs.Bench.Infra;

/// <summary>Mount points from /proc/self/mountinfo, waiting for a FUSE mount to appear, and lazy unmounting.</summary>
internal static class MountTable
{
    public static bool IsMounted(string path) => HddFs.Fuse.MountTable.Find(Path.GetFullPath(path).TrimEnd('/')) is not null;

    /// <summary>Waits until <paramref name="path"/> is a mount point; fails early when its owner exits.</summary>
    public static async Task WaitMountedAsync(string path, ChildProcess owner, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!IsMounted(path))
        {
            owner.ThrowIfExited();
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{owner.Name} did not mount {path} within {timeout.TotalSeconds:0} s:\n{owner.RecentOutput}");
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    /// <summary>Detaches the mount if it is still there (fusermount3 -u -z, else umount -l). Never throws.</summary>
    public static void LazyUnmount(string path)
    {
        try
        {
            if (!IsMounted(path))
            {
                return;
            }

            ProcessRunner.TryRun("fusermount3", ["-u", "-z", path]);
            if (IsMounted(path))
            {
                ProcessRunner.TryRun("umount", ["-l", path]);
            }
        }
        catch (IOException)
        {
        }
    }
}

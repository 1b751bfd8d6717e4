using HddFs.Fuse;
using Microsoft.Extensions.Logging;

namespace HddFs.Mount;

/// <summary>
/// Makes a mount point ready before mounting: repairs a stale FUSE mount left by a daemon that died
/// ("Transport endpoint is not connected"), creates a missing directory, and refuses a directory that
/// is already an active mount of something else (mounting over it would hide it). Stateless.
/// </summary>
internal static class MountPointPreparation
{
    private const string FuseConfig = "/etc/fuse.conf";

    /// <summary>Returns the canonical path to mount on. Throws IOException with a message for the user
    /// when the mount point cannot be used. Blocking (statfs, mountinfo, maybe an unmount).</summary>
    public static string Prepare(string mountPoint, bool allowOther, ILogger logger)
    {
        var path = Path.GetFullPath(mountPoint);

        // Stale first: every other check (even "does it exist") fails on a disconnected mount.
        if (FuseMount.IsStale(path))
        {
            FuseMount.RepairStale(path);
            logger.RepairedStaleMount(path);
        }

        if (File.Exists(path))
        {
            throw new IOException($"Cannot mount on {path}: it is a file, not a directory.");
        }

        if (!Directory.Exists(path))
        {
            Directory.CreateDirectory(path);
            logger.CreatedMountPoint(path);
        }

        var canonical = Canonical(path);
        if (MountTable.Find(canonical) is { } existing)
        {
            throw new IOException(
                $"Cannot mount on {canonical}: it is already a mount point ({existing.FileSystemType} from '{existing.Source}'). " +
                "Unmount it first (hddfs unmount, or umount) or choose another directory.");
        }

        if (allowOther && !Environment.IsPrivilegedProcess && !UserAllowOther())
        {
            throw new IOException($"allow_other needs 'user_allow_other' in {FuseConfig} when hddfs does not run as root.");
        }

        return canonical;
    }

    /// <summary>The path with every symbolic link resolved (mountinfo lists canonical paths).</summary>
    internal static string Canonical(string fullPath, int depth = 0)
    {
        if (depth > 40)
        {
            throw new IOException($"Too many levels of symbolic links resolving {fullPath}.");
        }

        var current = "/";
        foreach (var part in fullPath.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var next = Path.Combine(current, part);
            var info = new FileInfo(next);
            if (info.Exists || Directory.Exists(next) || info.LinkTarget is not null)
            {
                if (info.ResolveLinkTarget(returnFinalTarget: true) is { } target)
                {
                    // The target's own parents may be links too.
                    next = Canonical(Path.GetFullPath(target.FullName), depth + 1);
                }
            }

            current = next;
        }

        return current;
    }

    private static bool UserAllowOther()
    {
        try
        {
            return File.ReadLines(FuseConfig).Any(line => line.Trim() == "user_allow_other");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}

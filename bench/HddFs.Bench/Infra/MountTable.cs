using System.Text;
using HddFs.Testing;

namespace HddFs.Bench.Infra;

/// <summary>Mount points from /proc/self/mountinfo, waiting for a FUSE mount to appear, and lazy unmounting.</summary>
internal static class MountTable
{
    public static bool IsMounted(string path)
    {
        var full = Path.GetFullPath(path).TrimEnd('/');
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            var fields = line.Split(' ');
            if (fields.Length > 4 && Unescape(fields[4]) == full)
            {
                return true;
            }
        }

        return false;
    }

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

    // mountinfo escapes space, tab, newline and backslash as \ooo.
    private static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal))
        {
            return field;
        }

        var builder = new StringBuilder(field.Length);
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && i + 3 < field.Length && field.AsSpan(i + 1, 3).IndexOfAnyExceptInRange('0', '7') < 0)
            {
                builder.Append((char)Convert.ToInt32(field.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
            {
                builder.Append(field[i]);
            }
        }

        return builder.ToString();
    }
}

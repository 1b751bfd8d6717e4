namespace HddFs.Bench.Infra;

/// <summary>What a benchmark needs from the machine (root, tools); a missing piece is reported as a clear
/// "skipped" line instead of a failure.</summary>
internal static class Prerequisites
{
    private static readonly string[] ExtraDirectories = ["/usr/sbin", "/sbin", "/usr/bin", "/bin"];

    /// <summary>Root can drop the page cache, open /dev/fuse (mode 0600 here) and run sshd.</summary>
    public static bool IsRoot => Environment.IsPrivilegedProcess;

    /// <summary>Full path of an executable found on PATH (or in the sbin directories), else null.</summary>
    public static string? FindExecutable(string name)
    {
        if (name.Contains('/', StringComparison.Ordinal))
        {
            return File.Exists(name) ? name : null;
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        return path.Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(ExtraDirectories)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);
    }

    /// <summary>Why the benchmark cannot run here, or null when it can.</summary>
    public static string? Missing(bool needsRoot, params string[] executables)
    {
        if (needsRoot && !IsRoot)
        {
            return "needs root (to drop the page cache, open /dev/fuse and run sshd)";
        }

        var missing = executables.Where(e => FindExecutable(e) is null).ToList();
        if (missing.Count > 0)
        {
            return $"missing {string.Join(", ", missing)} (make deps installs them)";
        }

        return null;
    }

    /// <summary>Prints "skipped: reason" and returns false when something is missing.</summary>
    public static bool Check(BenchReport report, string what, bool needsRoot, params string[] executables)
    {
        var reason = Missing(needsRoot, executables);
        if (reason is null)
        {
            return true;
        }

        report.Note($"skipped {what}: {reason}");
        return false;
    }
}

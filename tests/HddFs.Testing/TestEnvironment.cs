using Xunit;

namespace HddFs.Testing;

/// <summary>
/// What the machine running the tests can do. In CI (environment variable CI or HDDFS_CI set) every
/// requirement is assumed present: a test that needs root, FUSE, namespaces or mosquitto runs there
/// and fails if the machine lacks it. Outside CI such tests are skipped with the reason.
/// </summary>
public static class TestEnvironment
{
    public static bool IsCi =>
        !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"))
        || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("HDDFS_CI"));

    public static bool IsRoot => Environment.UserName == "root" || GetEuid() == 0;

    public static bool HasFuse => File.Exists("/dev/fuse");

    public static bool HasProgram(string name)
        => (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/sbin"])
            .Any(dir => File.Exists(Path.Combine(dir, name)));

    /// <summary>Null when every need is met (or we are in CI); otherwise why the test is skipped.</summary>
    public static string? MissingFor(Needs needs)
    {
        if (IsCi)
        {
            return null;
        }

        if (needs.HasFlag(Needs.Root) && !IsRoot)
        {
            return "needs root (runs in CI)";
        }

        if (needs.HasFlag(Needs.Fuse) && !(HasFuse && IsRoot))
        {
            return "needs /dev/fuse and root (runs in CI)";
        }

        if (needs.HasFlag(Needs.NetworkNamespaces) && !(IsRoot && HasProgram("ip")))
        {
            return "needs root and iproute2 for network namespaces (runs in CI)";
        }

        if (needs.HasFlag(Needs.Mosquitto) && !HasProgram("mosquitto"))
        {
            return "needs mosquitto (installed by make test; runs in CI)";
        }

        return null;
    }

    private static uint GetEuid()
    {
        try
        {
            // /proc/self/status: "Uid:\treal\teffective\t..."
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("Uid:", StringComparison.Ordinal))
                {
                    var parts = line.Split('\t', StringSplitOptions.RemoveEmptyEntries);
                    return uint.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
        }

        return uint.MaxValue;
    }
}

[Flags]
public enum Needs
{
    None = 0,
    Root = 1,
    Fuse = 2,
    NetworkNamespaces = 4,
    Mosquitto = 8,
}

/// <summary>A fact that is skipped outside CI when the machine lacks what it needs.</summary>
public sealed class SystemFactAttribute : FactAttribute
{
    public SystemFactAttribute(Needs needs)
    {
        var missing = TestEnvironment.MissingFor(needs);
        if (missing is not null)
        {
            Skip = missing;
        }
    }
}

/// <summary>A theory that is skipped outside CI when the machine lacks what it needs.</summary>
public sealed class SystemTheoryAttribute : TheoryAttribute
{
    public SystemTheoryAttribute(Needs needs)
    {
        var missing = TestEnvironment.MissingFor(needs);
        if (missing is not null)
        {
            Skip = missing;
        }
    }
}

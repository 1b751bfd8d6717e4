using System.Globalization;

namespace HddFs.Daemon;

/// <summary>The process's effective uid and gid (owner of everything in the mount), read from /proc.</summary>
internal static class ProcessIds
{
    public static uint Uid { get; } = Read("Uid:");

    public static uint Gid { get; } = Read("Gid:");

    private static uint Read(string field)
    {
        // "Uid:\treal\teffective\tsaved\tfs"
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                var parts = line.Split('\t', StringSplitOptions.RemoveEmptyEntries);
                return uint.Parse(parts[2], CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException($"/proc/self/status has no {field} line.");
    }
}

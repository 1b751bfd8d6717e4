using System.Globalization;

namespace HddFs.Bench.Infra;

/// <summary>Descendants of a process, from /proc/PID/stat (field 4 is the parent PID).</summary>
internal static class ProcessTree
{
    public static IReadOnlyList<int> Descendants(int root)
    {
        var parents = new Dictionary<int, int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                // "pid (comm) state ppid ...": comm may contain spaces and parentheses, so split after the last ')'.
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                parents[pid] = int.Parse(fields[1], CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
            }
        }

        var result = new List<int>();
        var frontier = new Queue<int>([root]);
        while (frontier.Count > 0)
        {
            var parent = frontier.Dequeue();
            foreach (var (pid, ppid) in parents)
            {
                if (ppid == parent)
                {
                    result.Add(pid);
                    frontier.Enqueue(pid);
                }
            }
        }

        return result;
    }

    /// <summary>Bytes the process has read through read(2) so far ("rchar" in /proc/PID/io), or -1.</summary>
    public static long BytesRead(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/io"))
            {
                if (line.StartsWith("rchar:", StringComparison.Ordinal))
                {
                    return long.Parse(line.AsSpan(6).Trim(), CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return -1;
    }
}

using System.Globalization;

namespace HddFs.Bench;

/// <summary>The tree the index benchmark shares: d0000…/f000… with small files of 0–99 bytes.</summary>
internal static class IndexTree
{
    public static void Generate(string root, int directories, int filesPerDirectory)
    {
        var content = new byte[filesPerDirectory];
        Parallel.For(0, directories, d =>
        {
            var directory = Path.Combine(root, "d" + d.ToString("0000", CultureInfo.InvariantCulture));
            Directory.CreateDirectory(directory);
            for (var f = 0; f < filesPerDirectory; f++)
            {
                File.WriteAllBytes(Path.Combine(directory, "file" + f.ToString("000", CultureInfo.InvariantCulture) + ".dat"), content.AsSpan(0, f % 100).ToArray());
            }
        });
    }

    /// <summary>sync(1): flushes the generated tree so its writeback does not run during the timings.</summary>
    public static async Task SyncAsync(CancellationToken cancellationToken)
    {
        using var process = System.Diagnostics.Process.Start("sync") ?? throw new InvalidOperationException("Could not start sync.");
        await process.WaitForExitAsync(cancellationToken);
    }

    public static long TotalBytes(int directories, int filesPerDirectory)
        => directories * (long)Enumerable.Range(0, filesPerDirectory).Sum(f => f % 100);

    /// <summary>Whether this process may drop the page cache (root, and /proc/sys writable).</summary>
    public static bool CanDropCaches()
    {
        try
        {
            DropCaches();
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Drops the page cache, dentries and inodes (root only).</summary>
    public static void DropCaches() => File.WriteAllText("/proc/sys/vm/drop_caches", "3\n");
}

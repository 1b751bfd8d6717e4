using HddFs.Testing;

namespace HddFs.Bench.Infra;

/// <summary>`sync; echo 3 > /proc/sys/vm/drop_caches`: makes the next read of every file (sources, block cache,
/// FUSE page cache) come from disk or from the daemon. Root only.</summary>
internal static class DropCaches
{
    public static bool Possible => Prerequisites.IsRoot && File.Exists("/proc/sys/vm/drop_caches");

    public static void Now()
    {
        ProcessRunner.Run("sync", [], TimeSpan.FromMinutes(2)).EnsureSuccess("sync");
        File.WriteAllText("/proc/sys/vm/drop_caches", "3\n");
    }
}

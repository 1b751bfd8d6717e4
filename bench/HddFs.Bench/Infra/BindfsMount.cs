namespace HddFs.Bench.Infra;

/// <summary>`bindfs -f SOURCE MP`: a local directory seen through FUSE (the warm-read baseline: the same kernel
/// path as the hddfs mount, no network).</summary>
internal static class BindfsMount
{
    public static Task<ProcessFuseMount> MountAsync(string source, CancellationToken cancellationToken)
        => ProcessFuseMount.MountAsync("bindfs", mountPoint => ["-f", source, mountPoint], cancellationToken);
}

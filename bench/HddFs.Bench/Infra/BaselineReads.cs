namespace HddFs.Bench.Infra;

/// <summary>Cold sequential reads through the baseline file systems: each on a fresh mount with the page cache
/// dropped just before the timed dd.</summary>
internal static class BaselineReads
{
    /// <summary>Long enough for 1 GiB at 10 MB/s: a bench reports slowness, it does not time out on it.</summary>
    public static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(120);

    public static async Task<ReadThroughput> SshfsAsync(SshdFixture sshd, string directory, string fileName, long size, string? cipher, CancellationToken cancellationToken)
    {
        await using var sshfs = await SshfsMount.MountAsync(sshd, directory, cipher, cancellationToken);
        DropCaches.Now();
        return await Timing.DdAsync(Path.Combine(sshfs.MountPoint, fileName), size, ReadTimeout, cancellationToken);
    }

    public static async Task<ReadThroughput> BindfsAsync(string directory, string fileName, long size, CancellationToken cancellationToken)
    {
        await using var bindfs = await BindfsMount.MountAsync(directory, cancellationToken);
        DropCaches.Now();
        return await Timing.DdAsync(Path.Combine(bindfs.MountPoint, fileName), size, ReadTimeout, cancellationToken);
    }

    /// <summary>The local disk, page cache dropped: the ceiling every cold read here shares (printed for context).</summary>
    public static async Task<ReadThroughput> LocalDiskAsync(string path, long size, CancellationToken cancellationToken)
    {
        DropCaches.Now();
        return await Timing.DdAsync(path, size, ReadTimeout, cancellationToken);
    }
}

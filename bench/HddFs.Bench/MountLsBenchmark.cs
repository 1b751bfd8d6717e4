using System.Globalization;
using HddFs.Bench.Infra;
using HddFs.Testing;

namespace HddFs.Bench;

/// <summary>
/// THE BAR row "`ls -l` of a 10k-entry remote directory, cold ≤ 0.5× sshfs time": the whole `ls -l DIR` process
/// (stdout to /dev/null) on a freshly mounted hddfs, beside the same on a freshly mounted sshfs. The server side is
/// warm for both (the files were just created; the page cache is not dropped, since hddfs answers listings from its
/// index and sshfs's server stats every file, so a cold server disk would favour hddfs). The second, warm `ls -l`
/// is printed for both, and the entry count is checked after timing.
/// </summary>
internal sealed class MountLsBenchmark : IBenchmark
{
    private const int Entries = 10_000;
    private const string DirectoryName = "many";

    public string Name => "mount-ls";

    public string Description => "`ls -l` of a 10,000-entry remote directory on a fresh mount vs a fresh sshfs mount";

    public async Task RunAsync(BenchReport report, CancellationToken cancellationToken)
    {
        if (!Prerequisites.Check(report, Name, needsRoot: true, "sshd", "ssh-keygen", "sshfs", "fusermount3", "ls"))
        {
            return;
        }

        using var data = new TempDirectory("hddfs-bench-ls");
        var share = data.Combine("share");
        TestData.CreateSmallFiles(Path.Combine(share, DirectoryName), Entries, size: 100);

        TimeSpan sshfs;
        await using (var sshd = await SshdFixture.StartAsync(cancellationToken))
        await using (var mount = await SshfsMount.MountAsync(sshd, share, cipher: null, cancellationToken))
        {
            var directory = Path.Combine(mount.MountPoint, DirectoryName);
            sshfs = await ListAsync(directory, cancellationToken);
            var warm = await ListAsync(directory, cancellationToken);
            CheckCount(directory, "sshfs");
            report.Note($"sshfs: ls -l on a fresh mount {Ms(sshfs)}, again (warm) {Ms(warm)}");
        }

        await using var party = await HddfsParty.StartAsync(new HddfsPartyOptions { ShareDirectory = share }, cancellationToken);
        var throughMount = Path.Combine(party.ShareRoot, DirectoryName);
        var hddfs = await ListAsync(throughMount, cancellationToken);
        var hddfsWarm = await ListAsync(throughMount, cancellationToken);
        report.Note($"hddfs: ls -l on a fresh mount {Ms(hddfs)}, again (warm) {Ms(hddfsWarm)}");
        report.Compare("ls -l of a 10k-entry remote directory, fresh mount", "ms", hddfs.TotalMilliseconds, "sshfs", sshfs.TotalMilliseconds, Better.Lower, 0.5);
        CheckCount(throughMount, "the hddfs mount");
    }

    private static async Task<TimeSpan> ListAsync(string directory, CancellationToken cancellationToken)
        => (await Timing.RunAsync("ls", ["-l", directory], TimeSpan.FromSeconds(120), cancellationToken)).EnsureSuccess($"ls -l {directory}").Elapsed;

    private static void CheckCount(string directory, string where)
    {
        var count = Directory.EnumerateFileSystemEntries(directory).Count();
        if (count != Entries)
        {
            throw new InvalidOperationException($"{where} lists {count} entries in {directory}, expected {Entries}");
        }
    }

    private static string Ms(TimeSpan elapsed) => elapsed.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture) + " ms";
}

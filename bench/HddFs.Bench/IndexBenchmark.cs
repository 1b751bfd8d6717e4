using System.Diagnostics;
using System.Globalization;
using HddFs.Shares;
using HddFs.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace HddFs.Bench;

/// <summary>
/// Indexing a 100k-file share against find(1) stat'ing the same tree (`find DIR -printf '%s\n'`),
/// both warm (page cache and dentries hot; hddfs JIT-warmed by one untimed run), alternating, medians
/// of <see cref="Runs"/>. The freshly written tree is synced first so that neither side competes with
/// its writeback. With root, also cold (caches dropped before each run), reported without a bar.
/// </summary>
internal sealed class IndexBenchmark : IBenchmark
{
    private const int Directories = 1000;
    private const int FilesPerDirectory = 100;
    private const int Runs = 5;

    public string Name => "index";

    public BenchPhase Phase => BenchPhase.ChurnsFiles;

    public string Description => $"index a {Directories * FilesPerDirectory / 1000}k-file share vs find -printf '%s\\n'";

    public async Task RunAsync(BenchReport report, CancellationToken cancellationToken)
    {
        using var temp = new TempDirectory("hddfs-bench-index");
        var tree = temp.Combine("tree");
        var generate = Stopwatch.StartNew();
        IndexTree.Generate(tree, Directories, FilesPerDirectory);
        await IndexTree.SyncAsync(cancellationToken);
        report.Note(string.Create(CultureInfo.InvariantCulture,
            $"tree: {Directories} directories × {FilesPerDirectory} files, generated in {generate.Elapsed.TotalSeconds:0.00} s"));

        await RunFindAsync(tree, cancellationToken);
        var firstIndex = await IndexOnceAsync(temp, tree, "jit", watch: false, cancellationToken);
        report.Note(string.Create(CultureInfo.InvariantCulture, $"first hddfs run in this process (JIT cold): {firstIndex:0.000} s"));

        var find = new List<double>();
        var hddfs = new List<double>();
        for (var run = 0; run < Runs; run++)
        {
            find.Add(await RunFindAsync(tree, cancellationToken));
            hddfs.Add(await IndexOnceAsync(temp, tree, $"warm{run}", watch: false, cancellationToken));
        }

        report.Compare("index 100k files", "s", Median(hddfs), "find -printf", Median(find), Better.Lower, 2.0);

        var withWatcher = await IndexOnceAsync(temp, tree, "watch", watch: true, cancellationToken);
        report.Note(string.Create(CultureInfo.InvariantCulture, $"with the inotify watcher set up as well: {withWatcher:0.000} s"));

        if (IndexTree.CanDropCaches())
        {
            await IndexTree.SyncAsync(cancellationToken);
            IndexTree.DropCaches();
            var coldFind = await RunFindAsync(tree, cancellationToken);
            IndexTree.DropCaches();
            var coldIndex = await IndexOnceAsync(temp, tree, "cold", watch: false, cancellationToken);
            report.Compare("index 100k files, cold caches", "s", coldIndex, "find -printf", coldFind, Better.Lower, null);
        }
    }

    /// <summary>Opens a fresh index and shares the tree; returns the seconds both took.</summary>
    private static async Task<double> IndexOnceAsync(TempDirectory temp, string tree, string label, bool watch, CancellationToken cancellationToken)
    {
        var database = temp.Combine($"db-{label}", "index.db");
        var options = new ShareIndexOptions
        {
            WatchForChanges = watch,
            RescanInterval = Timeout.InfiniteTimeSpan,
            DeepRescanInterval = Timeout.InfiniteTimeSpan,
        };
        var stopwatch = Stopwatch.StartNew();
        await using var index = await ShareIndex.OpenAsync(database, NullLoggerFactory.Instance, TimeProvider.System, options, cancellationToken);
        await index.AddShareAsync(tree, cancellationToken);
        var seconds = stopwatch.Elapsed.TotalSeconds;

        var root = index.GetEntry(Core.SharePath.Parse("tree"));
        if (root is null || root.Size != IndexTree.TotalBytes(Directories, FilesPerDirectory))
        {
            throw new InvalidOperationException($"Index of {tree} is wrong: root size {root?.Size}, expected {IndexTree.TotalBytes(Directories, FilesPerDirectory)}.");
        }

        return seconds;
    }

    private static async Task<double> RunFindAsync(string tree, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("sh", ["-c", "exec find \"$1\" -printf '%s\\n' > /dev/null", "sh", tree]) { UseShellExecute = false };
        var stopwatch = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start find.");
        await process.WaitForExitAsync(cancellationToken);
        var seconds = stopwatch.Elapsed.TotalSeconds;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"find exited with {process.ExitCode}.");
        }

        return seconds;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}

using System.Globalization;

namespace HddFs.Bench;

/// <summary>One benchmark: measures hddfs and its baseline in the same run.</summary>
internal interface IBenchmark
{
    string Name { get; }

    string Description { get; }

    /// <summary>When it runs in a full `make bench`; see <see cref="BenchPhase"/>.</summary>
    BenchPhase Phase => BenchPhase.Normal;

    Task RunAsync(BenchReport report, CancellationToken cancellationToken);
}

/// <summary>
/// Run order of a full `make bench`, so that one benchmark's leftovers do not skew another. Measured here: after a
/// benchmark deleted many files (the 100k-file index tree, ~1,000 cache blocks), creating files stays slow for
/// minutes on this machine's ext4 (no journal, `discard`: freed inodes are skipped while recently deleted, frees are
/// trimmed), and a cold read through the mount creates one cache file per MiB while sshfs creates none: the same
/// cold read measured 327 MB/s right after such a benchmark and 541 MB/s before any.
/// </summary>
internal enum BenchPhase
{
    /// <summary>Needs a file system no earlier benchmark has churned (cold reads that fill the block cache).</summary>
    First,
    Normal,

    /// <summary>Creates and deletes many files.</summary>
    ChurnsFiles,
}

internal static class BenchmarkRegistry
{
    /// <summary>Every non-abstract <see cref="IBenchmark"/> in this assembly, by phase, then by name.</summary>
    public static List<IBenchmark> All()
        => typeof(BenchmarkRegistry).Assembly.GetTypes()
            .Where(t => typeof(IBenchmark).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
            .Select(t => (IBenchmark)Activator.CreateInstance(t)!)
            .OrderBy(b => b.Phase)
            .ThenBy(b => b.Name, StringComparer.Ordinal)
            .ToList();
}

/// <summary>Whether a bigger or a smaller number is better for a metric.</summary>
internal enum Better
{
    Higher,
    Lower,
}

/// <summary>
/// Collects results as "metric: hddfs vs baseline = ratio (bar)" lines and a summary table.
/// The ratio is always hddfs / baseline in the metric's own unit.
/// </summary>
internal sealed class BenchReport(TextWriter output)
{
    private readonly List<string> _summary = [];

    /// <summary>Records a side-by-side measurement. <paramref name="bar"/> is the ratio hddfs must reach
    /// (≥ for <see cref="Better.Higher"/>, ≤ for <see cref="Better.Lower"/>); null when there is none.</summary>
    public void Compare(string metric, string unit, double hddfs, string baselineName, double baseline, Better better, double? bar)
    {
        var ratio = baseline > 0 ? hddfs / baseline : double.NaN;
        var verdict = bar is null ? "" : (better == Better.Higher ? ratio >= bar : ratio <= bar) ? "  [meets bar]" : "  [BELOW BAR]";
        var barText = bar is null ? "" : $" (bar {(better == Better.Higher ? "≥" : "≤")} {bar.Value.ToString("0.##", CultureInfo.InvariantCulture)}×)";
        var line = string.Create(CultureInfo.InvariantCulture,
            $"{metric}: hddfs {hddfs:0.###} {unit} vs {baselineName} {baseline:0.###} {unit} → ratio {ratio:0.00}×{barText}{verdict}");
        output.WriteLine("   " + line);
        _summary.Add(line);
    }

    /// <summary>Records a single measurement against an absolute bar (no baseline).</summary>
    public void Absolute(string metric, string unit, double value, Better better, double? bar)
    {
        var verdict = bar is null ? "" : (better == Better.Higher ? value >= bar : value <= bar) ? "  [meets bar]" : "  [BELOW BAR]";
        var barText = bar is null ? "" : $" (bar {(better == Better.Higher ? "≥" : "≤")} {bar.Value.ToString("0.###", CultureInfo.InvariantCulture)} {unit})";
        var line = string.Create(CultureInfo.InvariantCulture, $"{metric}: {value:0.###} {unit}{barText}{verdict}");
        output.WriteLine("   " + line);
        _summary.Add(line);
    }

    public void Note(string text) => output.WriteLine("   " + text);

    public void PrintSummary()
    {
        output.WriteLine();
        output.WriteLine("== summary");
        foreach (var line in _summary)
        {
            output.WriteLine("   " + line);
        }
    }
}

using HddFs.Bench;

// make bench [BENCH_ARGS="name ..."]: runs the named benchmarks (all when none are named) and prints
// each measurement beside its baseline, measured in the same run, with the ratio and the bar.
var all = BenchmarkRegistry.All();
if (args.Contains("--list"))
{
    foreach (var b in all)
    {
        Console.WriteLine($"{b.Name,-16} {b.Description}");
    }

    return 0;
}

var selected = args.Length == 0 ? all : all.Where(b => args.Contains(b.Name, StringComparer.OrdinalIgnoreCase)).ToList();
if (selected.Count == 0)
{
    Console.Error.WriteLine($"No benchmark named {string.Join(", ", args)}. Known: {string.Join(", ", all.Select(b => b.Name))}");
    return 2;
}

using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cts.Cancel();
};

var report = new BenchReport(Console.Out);
var failures = 0;
foreach (var bench in selected)
{
    Console.WriteLine($"== {bench.Name}: {bench.Description}");
    try
    {
        await bench.RunAsync(report, cts.Token);
    }
    catch (Exception ex) when (ex is not OperationCanceledException)
    {
        failures++;
        Console.WriteLine($"   FAILED: {ex.GetType().Name}: {ex.Message}");
    }
}

report.PrintSummary();
return failures == 0 ? 0 : 1;

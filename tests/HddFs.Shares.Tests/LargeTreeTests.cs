using System.Diagnostics;
using HddFs.Core;
using Xunit.Abstractions;

namespace HddFs.Shares.Tests;

/// <summary>A 10k-file share: totals, restart cost, and how a large change is reported.</summary>
public sealed class LargeTreeTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Directories = 100;
    private const int FilesPerDirectory = 100;
    private IndexFixture _f = null!;

    public async Task InitializeAsync()
    {
        _f = await IndexFixture.CreateAsync();
        var content = new byte[FilesPerDirectory];
        for (var d = 0; d < Directories; d++)
        {
            var directory = _f.DataPath($"Big/d{d:000}");
            Directory.CreateDirectory(directory);
            for (var i = 0; i < FilesPerDirectory; i++)
            {
                File.WriteAllBytes(Path.Combine(directory, $"f{i:000}.bin"), content.AsSpan(0, i).ToArray());
            }
        }
    }

    public async Task DisposeAsync() => await _f.DisposeAsync();

    private static long ExpectedTotal => Directories * (long)(FilesPerDirectory * (FilesPerDirectory - 1) / 2);

    [Fact]
    public async Task Index10kFiles_TotalsAreRight_AndRestartReadsNothing()
    {
        var stopwatch = Stopwatch.StartNew();
        await _f.Index.AddShareAsync(_f.DataPath("Big"));
        output.WriteLine($"indexed {Directories * FilesPerDirectory} files in {stopwatch.ElapsedMilliseconds} ms");

        Assert.Equal(ExpectedTotal, _f.Index.GetEntry(SharePath.Parse("Big"))!.Size);
        Assert.Equal(ExpectedTotal, _f.Index.GetEntry(SharePath.Root)!.Size);
        Assert.Equal(Directories * (FilesPerDirectory + 1), (await _f.ListAsync("Big", recursive: true)).Count);
        Assert.Equal(FilesPerDirectory * (FilesPerDirectory - 1) / 2, _f.Index.GetEntry(SharePath.Parse("Big/d042"))!.Size);
        Assert.Equal(99, _f.Index.GetEntry(SharePath.Parse("Big/d099/f099.bin"))!.Size);

        await _f.ReopenAsync();

        Assert.Equal(Directories + 1, _f.Index.StartupScan.DirectoriesChecked);
        Assert.Equal(0, _f.Index.StartupScan.DirectoriesListed);
        Assert.Equal(ExpectedTotal, _f.Index.GetEntry(SharePath.Parse("Big"))!.Size);
    }
}

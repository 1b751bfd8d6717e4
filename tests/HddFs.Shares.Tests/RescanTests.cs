using HddFs.Core;

namespace HddFs.Shares.Tests;

/// <summary>Changes on disk reach the index through rescans, with cumulative sizes kept right.</summary>
public sealed class RescanTests : IAsyncLifetime
{
    private readonly List<string> _changes = [];
    private IndexFixture _f = null!;

    public async Task InitializeAsync()
    {
        _f = await IndexFixture.CreateAsync();
        _f.Write("S/a/one.txt", "1");
        _f.Write("S/a/b/two.txt", "22");
        _f.Write("S/c/three.txt", "333");
        await _f.Index.AddShareAsync(_f.DataPath("S"));
        _f.Index.Changed += (_, e) =>
        {
            lock (_changes)
            {
                _changes.AddRange(e.Paths.Select(p => p.Value));
            }
        };
    }

    public async Task DisposeAsync() => await _f.DisposeAsync();

    private long Size(string path) => _f.Index.GetEntry(SharePath.Parse(path))!.Size;

    [Fact]
    public async Task QuickRescan_NewFile_IsIndexedAndSizesPropagate()
    {
        _f.Write("S/a/b/new.txt", "4444");

        var result = await _f.Index.RescanAsync();

        Assert.Equal(1, result.DirectoriesListed);
        Assert.Equal(4, Size("S/a/b/new.txt"));
        Assert.Equal(6, Size("S/a/b"));
        Assert.Equal(7, Size("S/a"));
        Assert.Equal(10, Size("S"));
        Assert.Equal(10, _f.Index.GetEntry(SharePath.Root)!.Size);
        Assert.Equal(["S/a/b/new.txt"], _changes);
    }

    [Fact]
    public async Task QuickRescan_DeletedDirectory_RemovesTheSubtree()
    {
        Directory.Delete(_f.DataPath("S/a"), recursive: true);

        await _f.Index.RescanAsync();

        Assert.Equal(["S/c", "S/c/three.txt"], await _f.NamesAsync("S", recursive: true));
        Assert.Equal(3, Size("S"));
        Assert.Null(_f.Index.GetEntry(SharePath.Parse("S/a/b/two.txt")));
        Assert.Equal(["S/a"], _changes);
    }

    [Fact]
    public async Task QuickRescan_RenamedDirectory_MovesItsContents()
    {
        Directory.Move(_f.DataPath("S/a"), _f.DataPath("S/z"));

        await _f.Index.RescanAsync();

        Assert.Equal(["S/c", "S/c/three.txt", "S/z", "S/z/one.txt", "S/z/b", "S/z/b/two.txt"], await _f.NamesAsync("S", recursive: true));
        Assert.Equal(3, Size("S/z"));
        Assert.Equal(["S/a", "S/z"], _changes.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task QuickRescan_FileBecomesDirectory_IsReplaced()
    {
        File.Delete(_f.DataPath("S/c/three.txt"));
        _f.Write("S/c/three.txt/inner", "55555");

        await _f.Index.RescanAsync();

        var entry = _f.Index.GetEntry(SharePath.Parse("S/c/three.txt"));
        Assert.NotNull(entry);
        Assert.True(entry.IsDirectory);
        Assert.Equal(5, entry.Size);
        Assert.Equal(5, Size("S/c/three.txt/inner"));
    }

    [Fact]
    public async Task QuickRescan_FileModifiedInPlace_IsNotSeen_DeepRescanFindsIt()
    {
        // A file rewritten in place does not change its directory's ctime: only a watcher event or a
        // deep rescan notices (this is what the periodic deep rescan is for).
        await File.AppendAllTextAsync(_f.DataPath("S/a/b/two.txt"), "more");

        var quick = await _f.Index.RescanAsync();
        Assert.Equal(0, quick.DirectoriesListed);
        Assert.Equal(2, Size("S/a/b/two.txt"));

        var deep = await _f.Index.RescanAsync(deep: true);

        Assert.Equal(4, deep.DirectoriesListed);
        Assert.Equal(6, Size("S/a/b/two.txt"));
        Assert.Equal(10, Size("S"));
        Assert.Equal(["S/a/b/two.txt"], _changes);
    }

    [Fact]
    public async Task DeepRescan_NothingChanged_ReportsNoChanges()
    {
        var result = await _f.Index.RescanAsync(deep: true);

        Assert.Equal(0, result.Changes);
        Assert.Empty(_changes);
    }

    [Fact]
    public async Task Reopen_NothingChanged_ChecksEveryDirectoryAndReadsNone()
    {
        await _f.ReopenAsync();

        Assert.Equal(4, _f.Index.StartupScan.DirectoriesChecked);
        Assert.Equal(0, _f.Index.StartupScan.DirectoriesListed);
        Assert.Equal(6, _f.Index.GetEntry(SharePath.Parse("S"))!.Size);
    }

    [Fact]
    public async Task Reopen_OneDirectoryChanged_ReadsOnlyThatOne()
    {
        await _f.Index.DisposeAsync();
        _f.Write("S/c/added.txt", "xx");
        File.Delete(_f.DataPath("S/a/one.txt"));

        await _f.OpenAsync();

        Assert.Equal(2, _f.Index.StartupScan.DirectoriesListed);
        Assert.Equal(["S/a", "S/a/b", "S/a/b/two.txt", "S/c", "S/c/added.txt", "S/c/three.txt"], await _f.NamesAsync("S", recursive: true));
        Assert.Equal(7, Size("S"));
    }

    [Fact]
    public async Task RecentlyChangedDirectory_IsReadAgainByTheNextQuickScan()
    {
        // With a racy window, a directory whose ctime is that recent is not trusted as unchanged.
        await _f.ReopenAsync(IndexFixture.QuietOptions with { RacyWindow = TimeSpan.FromHours(1) });
        _f.Write("S/c/fresh.txt", "f");
        await _f.Index.RescanAsync();

        var again = await _f.Index.RescanAsync();

        Assert.Equal(1, again.DirectoriesListed);
        Assert.NotNull(_f.Index.GetEntry(SharePath.Parse("S/c/fresh.txt")));
    }

    [Fact]
    public async Task ManyChangesInOneScan_AreReportedAsTheWholeShare()
    {
        Directory.CreateDirectory(_f.DataPath("S/many"));
        await _f.Index.RescanAsync();
        Assert.Equal(["S/many"], _changes);
        _changes.Clear();
        for (var i = 0; i < ChangeSet.MaxPerShare + 10; i++)
        {
            _f.Write($"S/many/f{i:0000}", "m");
        }

        await _f.Index.RescanAsync();

        Assert.Equal(["S"], _changes);
        Assert.Equal(6 + ChangeSet.MaxPerShare + 10, Size("S"));
    }
}

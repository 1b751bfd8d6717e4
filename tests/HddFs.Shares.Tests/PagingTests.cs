using HddFs.Core;

namespace HddFs.Shares.Tests;

/// <summary>A share big enough that listings span several query chunks (512 rows), built once.</summary>
public sealed class PagingTree : IAsyncLifetime
{
    public const int BigFiles = 1300;

    public IndexFixture Fixture { get; private set; } = null!;

    /// <summary>Every path below the share (directories and files).</summary>
    public HashSet<string> Expected { get; } = new(StringComparer.Ordinal);

    public async Task InitializeAsync()
    {
        Fixture = await IndexFixture.CreateAsync();
        for (var i = 0; i < BigFiles; i++)
        {
            Add($"S/big/f{i:0000}.dat", i % 7 == 0 ? "match" : "x");
        }

        for (var d = 0; d < 40; d++)
        {
            for (var i = 0; i < 30; i++)
            {
                Add($"S/big/sub{d:00}/g{i:00}.dat", "y");
            }
        }

        Add("S/big b/after-space.dat", "z");
        Add("S/big0/after-zero.dat", "z");
        await Fixture.Index.AddShareAsync(Fixture.DataPath("S"));
    }

    private void Add(string path, string content)
    {
        Fixture.Write(path, content);
        var parts = path.Split('/');
        for (var i = 2; i <= parts.Length; i++)
        {
            Expected.Add(string.Join('/', parts[..i]));
        }
    }

    public async Task DisposeAsync() => await Fixture.DisposeAsync();
}

/// <summary>Listings are paged; pages are complete, disjoint and in order across query chunks.</summary>
public sealed class PagingTests(PagingTree tree) : IClassFixture<PagingTree>
{
    private readonly IndexFixture _f = tree.Fixture;

    [Theory]
    [InlineData(1)]
    [InlineData(64)]
    [InlineData(511)]
    [InlineData(5000)]
    public async Task DirectoryListing_PagesCoverEveryChildOnceInOrder(int pageSize)
    {
        var entries = await _f.ListAsync("S/big", pageSize: pageSize);
        var names = entries.Select(e => e.Path.Value).ToList();

        Assert.Equal(PagingTree.BigFiles + 40, names.Count);
        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.Equal(names.Order(StringComparer.Ordinal), names);
    }

    [Theory]
    [InlineData(64)]
    [InlineData(1000)]
    public async Task RecursiveListing_AcrossChunks_IsCompleteAndParentsComeFirst(int pageSize)
    {
        var names = (await _f.ListAsync("S/big", recursive: true, pageSize: pageSize)).Select(e => e.Path.Value).ToList();

        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.Equal(tree.Expected.Where(p => p.StartsWith("S/big/", StringComparison.Ordinal)).Order(StringComparer.Ordinal), names.Order(StringComparer.Ordinal));
        var seen = new HashSet<string>(StringComparer.Ordinal) { "S/big" };
        foreach (var name in names)
        {
            Assert.Contains(SharePath.Parse(name).Parent.Value, seen);
            seen.Add(name);
        }
    }

    [Fact]
    public async Task RecursiveListingOfShare_IsComplete()
    {
        var names = await _f.NamesAsync("S", recursive: true);

        Assert.Equal(tree.Expected.Order(StringComparer.Ordinal), names.Order(StringComparer.Ordinal));
        Assert.Equal(names.Count, names.Distinct().Count());
    }

    [Fact]
    public async Task SearchAcrossChunks_FindsEveryMatch()
    {
        var names = await _f.NamesAsync("S/big", search: "f0");

        Assert.Equal(1000, names.Count);
        Assert.All(names, n => Assert.StartsWith("S/big/f0", n, StringComparison.Ordinal));
    }

    [Fact]
    public void CumulativeSize_SumsEveryFile()
        => Assert.Equal(
            Enumerable.Range(0, PagingTree.BigFiles).Sum(i => i % 7 == 0 ? 5 : 1) + (40 * 30) + 2,
            _f.Index.GetEntry(SharePath.Parse("S"))!.Size);

    [Fact]
    public async Task PageSize_Zero_Throws()
        => await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () =>
        {
            await foreach (var _ in _f.Index.ListAsync(new LsQuery(SharePath.Parse("S")), 0, CancellationToken.None))
            {
            }
        });

    [Fact]
    public async Task Cancellation_StopsTheListingAfterThePage()
    {
        using var cts = new CancellationTokenSource();
        var pages = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in _f.Index.ListAsync(new LsQuery(SharePath.Parse("S"), Recursive: true), 10, cts.Token))
            {
                pages++;
                await cts.CancelAsync();
            }
        });
        Assert.Equal(1, pages);
    }
}

using HddFs.Core;

namespace HddFs.Shares.Tests;

/// <summary>Search: case-insensitive substring of entry names, over the whole subtree of the path.</summary>
public sealed class SearchTests : IAsyncLifetime
{
    private IndexFixture _f = null!;

    public async Task InitializeAsync()
    {
        _f = await IndexFixture.CreateAsync();
        _f.Write("S/boop.txt", "1");
        _f.Write("S/sub/Boop.TXT", "2");
        _f.Write("S/sub/other.txt", "3");
        _f.Write("S/BoOp-dir/inside.txt", "4");
        _f.Write("S/ÄRGER.flac", "5");
        _f.Write("S/100%.txt", "6");
        _f.Write("S/a_b.txt", "7");
        _f.Write("S/axb.txt", "8");
        _f.Write("S/back\\slash.txt", "9");
        _f.Write("Boopshare/x.txt", "0");
        await _f.Index.AddShareAsync(_f.DataPath("S"));
        await _f.Index.AddShareAsync(_f.DataPath("Boopshare"));
    }

    public async Task DisposeAsync() => await _f.DisposeAsync();

    [Theory]
    [InlineData("boop")]
    [InlineData("BOOP")]
    [InlineData("bOoP")]
    public async Task Search_IsCaseInsensitive_AndMatchesDirectoriesToo(string term)
    {
        Assert.Equal(["S/boop.txt", "S/BoOp-dir", "S/sub/Boop.TXT"], await _f.NamesAsync("S", search: term));
    }

    [Theory]
    [InlineData("ärger")]
    [InlineData("ÄRG")]
    [InlineData("rger.FLAC")]
    public async Task Search_FoldsNonAsciiCase(string term)
        => Assert.Equal(["S/ÄRGER.flac"], await _f.NamesAsync("S", search: term));

    [Theory]
    [InlineData("%", "S/100%.txt")]
    [InlineData("_", "S/a_b.txt")]
    [InlineData("\\", "S/back\\slash.txt")]
    public async Task Search_WildcardCharacters_AreLiteral(string term, string expected)
        => Assert.Equal([expected], await _f.NamesAsync("S", search: term));

    [Fact]
    public async Task Search_InSubdirectory_StaysInItsSubtree()
        => Assert.Equal(["S/sub/Boop.TXT"], await _f.NamesAsync("S/sub", search: "boop"));

    [Fact]
    public async Task Search_NotRecursive_StillSearchesTheSubtree()
        => Assert.Equal(
            await _f.NamesAsync("S", recursive: true, search: "boop"),
            await _f.NamesAsync("S", recursive: false, search: "boop"));

    [Fact]
    public async Task Search_AtRoot_SpansSharesAndShareNames()
        => Assert.Equal(["Boopshare", "S/boop.txt", "S/BoOp-dir", "S/sub/Boop.TXT"], await _f.NamesAsync("", search: "boop"));

    [Fact]
    public async Task Search_OnAFile_ReturnsItOnlyWhenItMatches()
    {
        Assert.Equal(["S/boop.txt"], await _f.NamesAsync("S/boop.txt", search: "OOP"));
        Assert.Empty(await _f.NamesAsync("S/boop.txt", search: "zzz"));
    }

    [Fact]
    public async Task Search_NoMatch_YieldsNoPages()
    {
        var pages = 0;
        await foreach (var _ in _f.Index.ListAsync(new LsQuery(SharePath.Parse("S"), "no such thing"), 10, CancellationToken.None))
        {
            pages++;
        }

        Assert.Equal(0, pages);
    }

    [Fact]
    public async Task EmptySearch_IsAPlainListing()
        => Assert.Equal(await _f.NamesAsync("S"), await _f.NamesAsync("S", search: ""));
}

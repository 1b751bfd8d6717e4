using HddFs.Core;

namespace HddFs.Shares.Tests;

/// <summary>Defect 3 of the reference: paths match whole components, never prefixes.</summary>
public sealed class PrefixTests : IAsyncLifetime
{
    private IndexFixture _f = null!;

    public async Task InitializeAsync()
    {
        _f = await IndexFixture.CreateAsync();
        _f.Write("S/music/a.mp3", "AAAA");
        _f.Write("S/music/a.mp3.bak", "BACKUP");
        _f.Write("S/music2/b.mp3", "BB");
        _f.Write("S/music b/c.mp3", "C");
        _f.Write("S/music.d/d.mp3", "DDD");
        _f.Write("S/musi/e.mp3", "E");
        _f.Write("Music/x", "1");
        _f.Write("Music2/y", "22");
        await _f.Index.AddShareAsync(_f.DataPath("S"));
        await _f.Index.AddShareAsync(_f.DataPath("Music"));
        await _f.Index.AddShareAsync(_f.DataPath("Music2"));
    }

    public async Task DisposeAsync() => await _f.DisposeAsync();

    [Fact]
    public async Task ListDirectory_SiblingWithSamePrefix_NotIncluded()
    {
        Assert.Equal(["S/music/a.mp3", "S/music/a.mp3.bak"], await _f.NamesAsync("S/music"));
    }

    [Fact]
    public async Task RecursiveListing_SiblingsWithSamePrefix_NotIncluded()
    {
        Assert.Equal(["S/music/a.mp3", "S/music/a.mp3.bak"], await _f.NamesAsync("S/music", recursive: true));
        Assert.Equal(["S/musi/e.mp3"], await _f.NamesAsync("S/musi", recursive: true));
    }

    [Fact]
    public async Task Search_InDirectory_DoesNotLeakIntoPrefixSiblings()
    {
        Assert.Equal(["S/music/a.mp3", "S/music/a.mp3.bak"], await _f.NamesAsync("S/music", search: "mp3"));
    }

    [Fact]
    public void GetEntry_FileWithLongerSibling_IsExact()
    {
        var entry = _f.Index.GetEntry(SharePath.Parse("S/music/a.mp3"));

        Assert.NotNull(entry);
        Assert.Equal(4, entry.Size);
        Assert.Null(_f.Index.GetEntry(SharePath.Parse("S/music/a.mp")));
    }

    [Fact]
    public async Task OpenRead_FileWithLongerSibling_ReadsThatFile()
    {
        await using var stream = _f.Index.OpenRead(SharePath.Parse("S/music/a.mp3"));

        Assert.Equal("AAAA", await new StreamReader(stream).ReadToEndAsync());
    }

    [Fact]
    public async Task ShareNamesWithSamePrefix_ListSeparately()
    {
        Assert.Equal(["Music/x"], await _f.NamesAsync("Music", recursive: true));
        Assert.Equal(["Music2/y"], await _f.NamesAsync("Music2", recursive: true));
        Assert.Equal(1, _f.Index.GetEntry(SharePath.Parse("Music"))!.Size);
    }

    [Fact]
    public void CumulativeSizes_CountOnlyTheirOwnSubtree()
    {
        Assert.Equal(10, _f.Index.GetEntry(SharePath.Parse("S/music"))!.Size);
        Assert.Equal(2, _f.Index.GetEntry(SharePath.Parse("S/music2"))!.Size);
        Assert.Equal(17, _f.Index.GetEntry(SharePath.Parse("S"))!.Size);
    }
}

using HddFs.Core;

namespace HddFs.Shares.Tests;

public sealed class ShareManagementTests : IAsyncLifetime
{
    private IndexFixture _f = null!;

    public async Task InitializeAsync()
    {
        _f = await IndexFixture.CreateAsync();
        _f.Write("a/Music/one.mp3", "1");
        _f.Write("b/Music/two.mp3", "22");
        _f.Write("c/music/three.mp3", "333");
        _f.Write("d/Music/four.mp3", "4444");
    }

    public async Task DisposeAsync() => await _f.DisposeAsync();

    [Fact]
    public async Task AddShare_DuplicateBasenames_GetDistinctNames()
    {
        Assert.Equal("Music", await _f.Index.AddShareAsync(_f.DataPath("a/Music")));
        Assert.Equal("Music-2", await _f.Index.AddShareAsync(_f.DataPath("b/Music")));
        Assert.Equal("music-3", await _f.Index.AddShareAsync(_f.DataPath("c/music")));

        Assert.Equal(["Music/one.mp3"], await _f.NamesAsync("Music", recursive: true));
        Assert.Equal(["Music-2/two.mp3"], await _f.NamesAsync("Music-2", recursive: true));
        Assert.Equal(["music-3/three.mp3"], await _f.NamesAsync("music-3", recursive: true));
        Assert.Equal(["Music", "Music-2", "music-3"], await _f.NamesAsync(""));
    }

    [Fact]
    public async Task AddShare_SameDirectoryAgain_IsIdempotent()
    {
        var first = await _f.Index.AddShareAsync(_f.DataPath("a/Music"));
        Directory.CreateSymbolicLink(_f.DataPath("via-link"), _f.DataPath("a/Music"));

        Assert.Equal(first, await _f.Index.AddShareAsync(_f.DataPath("a/Music") + "/"));
        Assert.Equal(first, await _f.Index.AddShareAsync(_f.DataPath("a/../a/Music")));
        Assert.Equal(first, await _f.Index.AddShareAsync(_f.DataPath("via-link")));
        Assert.Single(_f.Index.Shares);
    }

    [Fact]
    public async Task Names_AreStableAcrossRestarts()
    {
        await _f.Index.AddShareAsync(_f.DataPath("a/Music"));
        await _f.Index.AddShareAsync(_f.DataPath("b/Music"));

        await _f.ReopenAsync();

        Assert.Equal(_f.DataPath("a/Music"), _f.Index.Shares["Music"]);
        Assert.Equal(_f.DataPath("b/Music"), _f.Index.Shares["Music-2"]);
        Assert.Equal("Music-2", await _f.Index.AddShareAsync(_f.DataPath("b/Music")));
        Assert.Equal("Music-3", await _f.Index.AddShareAsync(_f.DataPath("d/Music")));
        Assert.Equal(2, _f.Index.GetEntry(SharePath.Parse("Music-2/two.mp3"))!.Size);
    }

    [Fact]
    public async Task RemoveShare_DropsItsEntriesAndRaisesChanged()
    {
        await _f.Index.AddShareAsync(_f.DataPath("a/Music"));
        await _f.Index.AddShareAsync(_f.DataPath("b/Music"));
        var changed = new List<string>();
        _f.Index.Changed += (_, e) => changed.AddRange(e.Paths.Select(p => p.Value));

        Assert.True(await _f.Index.RemoveShareAsync("Music"));
        Assert.False(await _f.Index.RemoveShareAsync("Music"));

        Assert.Equal(["Music"], changed);
        Assert.Equal(["Music-2"], _f.Index.Shares.Keys);
        Assert.Null(_f.Index.GetEntry(SharePath.Parse("Music/one.mp3")));
        await Assert.ThrowsAsync<RemoteShareException>(() => _f.ListAsync("Music"));
        Assert.Equal(2, _f.Index.GetEntry(SharePath.Root)!.Size);

        await _f.ReopenAsync();
        Assert.Equal(["Music-2"], _f.Index.Shares.Keys);
        Assert.Equal("Music", await _f.Index.AddShareAsync(_f.DataPath("d/Music")));
        Assert.Equal(["Music/four.mp3"], await _f.NamesAsync("Music", recursive: true));
    }

    [Fact]
    public async Task AddShare_MissingDirectory_ThrowsDirectoryNotFound()
    {
        var error = await Assert.ThrowsAsync<DirectoryNotFoundException>(() => _f.Index.AddShareAsync(_f.DataPath("nope")));

        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
        Assert.Empty(_f.Index.Shares);
    }

    [Fact]
    public async Task AddShare_AFile_ThrowsDirectoryNotFound()
    {
        var error = await Assert.ThrowsAsync<DirectoryNotFoundException>(() => _f.Index.AddShareAsync(_f.DataPath("a/Music/one.mp3")));

        Assert.Contains("not a directory", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddShare_RaisesChangedWithTheShareName()
    {
        var changed = new List<string>();
        _f.Index.Changed += (_, e) => changed.AddRange(e.Paths.Select(p => p.Value));

        await _f.Index.AddShareAsync(_f.DataPath("a/Music"));

        Assert.Equal(["Music"], changed);
    }

    [Fact]
    public async Task ShareRoot_Vanishes_ListsEmptyUntilItIsBack()
    {
        await _f.Index.AddShareAsync(_f.DataPath("a/Music"));
        Directory.Move(_f.DataPath("a/Music"), _f.DataPath("a/Moved"));

        await _f.Index.RescanAsync();

        Assert.Empty(await _f.ListAsync("Music"));
        Assert.Equal(0, _f.Index.GetEntry(SharePath.Parse("Music"))!.Size);
        Assert.True(_f.Logs.Has(Microsoft.Extensions.Logging.LogLevel.Warning, "unavailable"));

        Directory.Move(_f.DataPath("a/Moved"), _f.DataPath("a/Music"));
        await _f.Index.RescanAsync();

        Assert.Equal(["Music/one.mp3"], await _f.NamesAsync("Music"));
        Assert.Equal(1, _f.Index.GetEntry(SharePath.Parse("Music"))!.Size);
    }

    [Fact]
    public async Task ShareRoot_ReplacedByALinkElsewhere_IsNotFollowed()
    {
        await _f.Index.AddShareAsync(_f.DataPath("a/Music"));
        Directory.Move(_f.DataPath("a/Music"), _f.DataPath("a/Moved"));
        Directory.CreateSymbolicLink(_f.DataPath("a/Music"), _f.DataPath("d/Music"));

        await _f.Index.RescanAsync(deep: true);

        Assert.Empty(await _f.ListAsync("Music"));
        Assert.Throws<RemoteShareException>(() => _f.Index.OpenRead(SharePath.Parse("Music/four.mp3")));
    }
}

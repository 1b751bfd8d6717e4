using HddFs.Core;

namespace HddFs.Shares.Tests;

/// <summary>
/// The symlink policy: a link is indexed only when it leads to a regular file inside the share;
/// directory links are never followed; loops and broken links are skipped; reads re-check the real
/// path of what was opened.
/// </summary>
public sealed class SymlinkTests : IAsyncLifetime
{
    private IndexFixture _f = null!;

    public async Task InitializeAsync()
    {
        _f = await IndexFixture.CreateAsync();
        _f.Write("S/real.txt", "real");
        _f.Write("S/sub/deep.txt", "deep!");
        _f.Write("secret.txt", "SECRET");
        _f.Write("outside/f.txt", "outside");
        File.CreateSymbolicLink(_f.DataPath("S/link-in"), "real.txt");
        File.CreateSymbolicLink(_f.DataPath("S/sub/link-up-in"), "../real.txt");
        File.CreateSymbolicLink(_f.DataPath("S/roundabout"), "../S/real.txt");
        File.CreateSymbolicLink(_f.DataPath("S/link-out"), "../secret.txt");
        File.CreateSymbolicLink(_f.DataPath("S/abs-out"), _f.DataPath("secret.txt"));
        File.CreateSymbolicLink(_f.DataPath("S/etc"), "/etc/hostname");
        Directory.CreateSymbolicLink(_f.DataPath("S/dir-out"), "../outside");
        Directory.CreateSymbolicLink(_f.DataPath("S/dir-in"), "sub");
        Directory.CreateSymbolicLink(_f.DataPath("S/sub/cycle"), "..");
        File.CreateSymbolicLink(_f.DataPath("S/loop1"), "loop2");
        File.CreateSymbolicLink(_f.DataPath("S/loop2"), "loop1");
        File.CreateSymbolicLink(_f.DataPath("S/self"), "self");
        File.CreateSymbolicLink(_f.DataPath("S/broken"), "nowhere");
        Directory.CreateDirectory(_f.DataPath("S/d"));
        _f.Write("S/d/f.txt", "in d");
        await _f.Index.AddShareAsync(_f.DataPath("S"));
    }

    public async Task DisposeAsync() => await _f.DisposeAsync();

    [Fact]
    public async Task Index_ContainsOnlyFilesAndLinksThatStayInside()
    {
        var names = await _f.NamesAsync("S", recursive: true);

        Assert.Equal(
            ["S/link-in", "S/real.txt", "S/roundabout", "S/d", "S/d/f.txt", "S/sub", "S/sub/deep.txt", "S/sub/link-up-in"],
            names);
    }

    [Fact]
    public void LinkInside_HasTheTargetsSize()
        => Assert.Equal(4, _f.Index.GetEntry(SharePath.Parse("S/link-in"))!.Size);

    [Fact]
    public async Task LinkInside_CanBeRead()
    {
        await using var stream = _f.Index.OpenRead(SharePath.Parse("S/sub/link-up-in"));

        Assert.Equal("real", await new StreamReader(stream).ReadToEndAsync());
    }

    [Theory]
    [InlineData("S/link-out")]
    [InlineData("S/abs-out")]
    [InlineData("S/etc")]
    [InlineData("S/dir-out/f.txt")]
    [InlineData("S/dir-in/deep.txt")]
    [InlineData("S/sub/cycle/real.txt")]
    [InlineData("S/loop1")]
    [InlineData("S/broken")]
    public void EscapingOrSkippedLinks_CannotBeOpened(string path)
    {
        var error = Assert.Throws<RemoteShareException>(() => _f.Index.OpenRead(SharePath.Parse(path)));

        Assert.Equal(RemoteError.NotFound, error.Error);
    }

    [Fact]
    public void CumulativeSize_CountsLinkedFilesOnce()
        => Assert.Equal(4 + 5 + 4 + 4 + 4 + 4, _f.Index.GetEntry(SharePath.Parse("S"))!.Size);

    [Fact]
    public async Task FileSwappedForOutsideLink_AfterIndexing_IsForbidden()
    {
        File.Delete(_f.DataPath("S/real.txt"));
        File.CreateSymbolicLink(_f.DataPath("S/real.txt"), "../secret.txt");

        var error = Assert.Throws<RemoteShareException>(() => _f.Index.OpenRead(SharePath.Parse("S/real.txt")));
        Assert.Equal(RemoteError.Forbidden, error.Error);
        Assert.True(_f.Logs.Has(Microsoft.Extensions.Logging.LogLevel.Warning, "outside the share"));

        await _f.Index.RescanAsync();
        Assert.Null(_f.Index.GetEntry(SharePath.Parse("S/real.txt")));
    }

    [Fact]
    public void DirectorySwappedForOutsideLink_AfterIndexing_IsForbidden()
    {
        Directory.Move(_f.DataPath("S/d"), _f.DataPath("S-d-moved"));
        Directory.CreateSymbolicLink(_f.DataPath("S/d"), "../outside");

        var error = Assert.Throws<RemoteShareException>(() => _f.Index.OpenRead(SharePath.Parse("S/d/f.txt")));

        Assert.Equal(RemoteError.Forbidden, error.Error);
    }

    [Fact]
    public async Task FileSwappedForFifo_AfterIndexing_IsRefusedWithoutHanging()
    {
        File.Delete(_f.DataPath("S/sub/deep.txt"));
        ShellTools.MakeFifo(_f.DataPath("S/sub/deep.txt"));

        var open = Task.Run(() => _f.Index.OpenRead(SharePath.Parse("S/sub/deep.txt")));
        var error = await Assert.ThrowsAsync<RemoteShareException>(() => open.WaitAsync(TimeSpan.FromSeconds(10)));

        Assert.Equal(RemoteError.Forbidden, error.Error);
    }

    [Fact]
    public async Task ShareAddedThroughALink_UsesTheLinkNameAndTheRealRoot()
    {
        Directory.CreateSymbolicLink(_f.DataPath("Alias"), "outside");

        var name = await _f.Index.AddShareAsync(_f.DataPath("Alias"));

        Assert.Equal("Alias", name);
        Assert.Equal(_f.DataPath("outside"), _f.Index.Shares[name]);
        Assert.Equal(["Alias/f.txt"], await _f.NamesAsync("Alias", recursive: true));
    }
}

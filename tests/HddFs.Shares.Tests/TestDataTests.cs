using HddFs.Core;

namespace HddFs.Shares.Tests;

/// <summary>The reference project's test-data tree, adapted to our shape (the root lists shares).</summary>
public sealed class TestDataTests : IAsyncLifetime
{
    private IndexFixture _f = null!;

    public async Task InitializeAsync()
    {
        _f = await IndexFixture.CreateAsync();
        _f.Write("test-data/somefile", "boop\n");
        _f.Write("test-data/subdir/anotherfile", "again\n");
        _f.Write("test-data/subdir/subsubdir/yetanotherfile", "thing\n");
        Assert.Equal("test-data", await _f.Index.AddShareAsync(_f.DataPath("test-data")));
    }

    public async Task DisposeAsync() => await _f.DisposeAsync();

    [Fact]
    public async Task RecursiveListingOfRoot_WithRootEntry_HasSevenEntriesAndCumulativeSizes()
    {
        var root = _f.Index.GetEntry(SharePath.Root);
        var entries = await _f.ListAsync("", recursive: true);

        Assert.NotNull(root);
        var all = entries.Prepend(root).ToList();
        Assert.Equal(7, all.Count);
        Assert.Equal(4, all.Count(e => e.IsDirectory));
        Assert.Equal(3, all.Count(e => !e.IsDirectory));
        Assert.Equal([17L, 17, 12, 6], all.Where(e => e.IsDirectory).Select(e => e.Size));
        Assert.Equal(
            ["", "test-data", "test-data/somefile", "test-data/subdir", "test-data/subdir/anotherfile", "test-data/subdir/subsubdir", "test-data/subdir/subsubdir/yetanotherfile"],
            all.Select(e => e.Path.Value));
    }

    [Fact]
    public async Task ListRoot_NotRecursive_ListsSharesAsDirectories()
    {
        var entries = await _f.ListAsync("");

        var share = Assert.Single(entries);
        Assert.Equal("test-data", share.Path.Value);
        Assert.True(share.IsDirectory);
        Assert.Equal(17, share.Size);
    }

    [Fact]
    public async Task ListShare_NotRecursive_ListsDirectChildrenOnly()
    {
        var entries = await _f.ListAsync("test-data");

        Assert.Equal(["test-data/somefile", "test-data/subdir"], entries.Select(e => e.Path.Value));
        Assert.Equal([5L, 12], entries.Select(e => e.Size));
        Assert.Equal([false, true], entries.Select(e => e.IsDirectory));
    }

    [Fact]
    public async Task ListFile_ReturnsThatEntry()
    {
        var entry = Assert.Single(await _f.ListAsync("test-data/subdir/anotherfile"));

        Assert.Equal("test-data/subdir/anotherfile", entry.Path.Value);
        Assert.Equal(6, entry.Size);
        Assert.False(entry.IsDirectory);
        Assert.True(entry.ModifiedUnixMs > 0);
    }

    [Theory]
    [InlineData("nope")]
    [InlineData("test-data/nope")]
    [InlineData("test-data/somefile/below")]
    [InlineData("test-data/subdir/subsubdir/yetanotherfile/x")]
    public async Task ListUnknownPath_ThrowsNotFound(string path)
    {
        var error = await Assert.ThrowsAsync<RemoteShareException>(() => _f.ListAsync(path));

        Assert.Equal(RemoteError.NotFound, error.Error);
        Assert.Null(_f.Index.GetEntry(SharePath.Parse(path)));
    }

    [Fact]
    public async Task OpenRead_File_ReturnsItsBytes()
    {
        await using var stream = _f.Index.OpenRead(SharePath.Parse("test-data/subdir/subsubdir/yetanotherfile"));
        using var reader = new StreamReader(stream);

        Assert.Equal("thing\n", await reader.ReadToEndAsync());
    }

    [Fact]
    public async Task OpenRead_SeekAndReadAsync_ReadsTheRange()
    {
        await using var stream = _f.Index.OpenRead(SharePath.Parse("test-data/subdir/anotherfile"));
        stream.Seek(2, SeekOrigin.Begin);
        var buffer = new byte[3];

        Assert.Equal(3, await stream.ReadAsync(buffer));
        Assert.Equal("ain"u8.ToArray(), buffer);
        Assert.False(stream.CanWrite);
    }

    [Theory]
    [InlineData("", RemoteError.NotAFile)]
    [InlineData("test-data", RemoteError.NotAFile)]
    [InlineData("test-data/subdir", RemoteError.NotAFile)]
    [InlineData("test-data/missing", RemoteError.NotFound)]
    [InlineData("other/somefile", RemoteError.NotFound)]
    public void OpenRead_NotAFile_ThrowsTypedError(string path, RemoteError expected)
    {
        var error = Assert.Throws<RemoteShareException>(() => _f.Index.OpenRead(SharePath.Parse(path)));

        Assert.Equal(expected, error.Error);
    }

    [Fact]
    public void GetEntry_Directory_HasCumulativeSize()
    {
        var entry = _f.Index.GetEntry(SharePath.Parse("test-data/subdir"));

        Assert.NotNull(entry);
        Assert.True(entry.IsDirectory);
        Assert.Equal(12, entry.Size);
    }
}

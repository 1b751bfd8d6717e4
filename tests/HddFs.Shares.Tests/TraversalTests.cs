using HddFs.Core;

namespace HddFs.Shares.Tests;

/// <summary>Paths from a peer are hostile: nothing outside the shares is listed or opened.</summary>
public sealed class TraversalTests : IAsyncLifetime
{
    private IndexFixture _f = null!;

    public async Task InitializeAsync()
    {
        _f = await IndexFixture.CreateAsync();
        _f.Write("S/sub/inside.txt", "inside");
        _f.Write("secret.txt", "SECRET");
        _f.Write("S2-not-shared/x.txt", "nope");
        await _f.Index.AddShareAsync(_f.DataPath("S"));
    }

    public async Task DisposeAsync() => await _f.DisposeAsync();

    [Theory]
    [InlineData("S/..")]
    [InlineData("S/../secret.txt")]
    [InlineData("S/sub/../../secret.txt")]
    [InlineData("../secret.txt")]
    [InlineData("/etc/passwd")]
    [InlineData("S/./sub/inside.txt")]
    [InlineData("S//sub")]
    [InlineData("S/sub/")]
    [InlineData("S/sub\0/inside.txt")]
    public void HostilePathSyntax_IsRejectedBeforeReachingTheIndex(string text)
        => Assert.False(SharePath.TryParse(text, out _));

    [Theory]
    [InlineData("secret.txt")]
    [InlineData("S2-not-shared/x.txt")]
    [InlineData("data/secret.txt")]
    [InlineData("S/secret.txt")]
    [InlineData("S/sub/..%2F..%2Fsecret.txt")]
    [InlineData("S/sub/inside.txt/..")]
    public void PathsOutsideTheShares_AreNotFound(string text)
    {
        if (!SharePath.TryParse(text, out var path))
        {
            return;
        }

        var error = Assert.Throws<RemoteShareException>(() => _f.Index.OpenRead(path));
        Assert.Equal(RemoteError.NotFound, error.Error);
        Assert.Null(_f.Index.GetEntry(path));
    }

    [Fact]
    public async Task ListOfUnsharedDirectory_ThrowsNotFound()
    {
        var error = await Assert.ThrowsAsync<RemoteShareException>(() => _f.ListAsync("S2-not-shared"));

        Assert.Equal(RemoteError.NotFound, error.Error);
    }

    [Fact]
    public async Task SearchTerm_TooLong_ThrowsTooLarge()
    {
        var error = await Assert.ThrowsAsync<RemoteShareException>(() => _f.ListAsync("S", search: new string('a', LsQuery.MaxSearchBytes + 1)));

        Assert.Equal(RemoteError.TooLarge, error.Error);
    }
}

namespace HddFs.Core.Tests;

public sealed class SharePathTests
{
    [Theory]
    [InlineData("")]
    [InlineData("Music")]
    [InlineData("Music/album/track 01.flac")]
    [InlineData("a/b/c/d")]
    [InlineData("weird\\name")]
    public void TryParse_ValidRelativePath_Accepted(string text)
    {
        Assert.True(SharePath.TryParse(text, out var path, out var error), error);
        Assert.Equal(text, path.Value);
    }

    [Theory]
    [InlineData("/etc/passwd")]
    [InlineData("..")]
    [InlineData("Music/../../etc")]
    [InlineData("Music/./x")]
    [InlineData("Music//x")]
    [InlineData("Music/")]
    [InlineData("Mu\0sic")]
    public void TryParse_Escapes_Rejected(string text)
    {
        Assert.False(SharePath.TryParse(text, out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void TryParse_OverlongComponent_Rejected()
        => Assert.False(SharePath.TryParse(new string('x', 256), out _));

    [Theory]
    [InlineData("music", "music", true)]
    [InlineData("music/a.mp3", "music", true)]
    [InlineData("music2/a.mp3", "music", false)]
    [InlineData("music2", "music", false)]
    [InlineData("a.mp3.bak", "a.mp3", false)]
    [InlineData("anything", "", true)]
    [InlineData("music", "music/a", false)]
    public void IsSameOrUnder_MatchesWholeComponentsOnly(string path, string ancestor, bool expected)
        => Assert.Equal(expected, SharePath.Parse(path).IsSameOrUnder(SharePath.Parse(ancestor)));

    [Fact]
    public void ParentNameShare_AreComponentWise()
    {
        var p = SharePath.Parse("Music/album/track.flac");
        Assert.Equal("track.flac", p.Name);
        Assert.Equal("Music/album", p.Parent.Value);
        Assert.Equal("Music", p.ShareName);
        Assert.Equal(3, p.Depth);
        Assert.True(SharePath.Root.Parent.IsRoot);
        Assert.Equal("Music/album/x", p.Parent.Child("x").Value);
        Assert.Throws<ArgumentException>(() => p.Child(".."));
    }
}

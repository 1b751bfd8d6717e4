using System.Runtime.InteropServices;
using HddFs.Shares.Interop;
using HddFs.Testing;

namespace HddFs.Shares.Tests;

/// <summary>The mirrored statx layout and the libc calls agree with what .NET reports.</summary>
public sealed class InteropTests
{
    [Fact]
    public void StatxBuffer_Is256Bytes()
        => Assert.Equal(256, Marshal.SizeOf<StatxBuffer>());

    [Fact]
    public void Statx_RegularFile_MatchesFileInfo()
    {
        using var temp = new TempDirectory();
        var path = temp.WriteFile("f.bin", new byte[12345]);
        File.SetLastWriteTimeUtc(path, new DateTime(2021, 3, 4, 5, 6, 7, 890, DateTimeKind.Utc));
        var bytes = Libc.NulTerminated(path);

        Assert.Equal(0, Libc.StatxPath(Libc.AtFdCwd, ref bytes[0], followSymlink: false, out var stat));

        Assert.True(stat.IsRegularFile);
        Assert.Equal(12345UL, stat.Size);
        Assert.Equal(new DateTimeOffset(2021, 3, 4, 5, 6, 7, 890, TimeSpan.Zero).ToUnixTimeMilliseconds(), stat.ModifiedUnixMs);
        Assert.True(stat.ChangeUnixNs > new DateTimeOffset(2021, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds() * 1_000_000);
        Assert.NotEqual(0UL, stat.Ino);
    }

    [Fact]
    public void Statx_DirectoryAndSymlink_AreTyped()
    {
        using var temp = new TempDirectory();
        var link = temp.Combine("link");
        File.CreateSymbolicLink(link, temp.Path);
        var dir = Libc.NulTerminated(temp.Path);
        var linkBytes = Libc.NulTerminated(link);

        Assert.Equal(0, Libc.StatxPath(Libc.AtFdCwd, ref dir[0], followSymlink: false, out var d));
        Assert.Equal(0, Libc.StatxPath(Libc.AtFdCwd, ref linkBytes[0], followSymlink: false, out var l));
        Assert.Equal(0, Libc.StatxPath(Libc.AtFdCwd, ref linkBytes[0], followSymlink: true, out var followed));

        Assert.True(d.IsDirectory);
        Assert.True(l.IsSymlink);
        Assert.True(followed.IsDirectory);
        Assert.Equal(d.Ino, followed.Ino);
    }

    [Fact]
    public void Statx_Missing_ReturnsEnoent()
    {
        var path = Libc.NulTerminated("/nonexistent-hddfs-path");

        Assert.Equal(Libc.ENoEnt, Libc.StatxPath(Libc.AtFdCwd, ref path[0], followSymlink: false, out _));
    }

    [Fact]
    public void RealPath_ResolvesLinksAndDots()
    {
        using var temp = new TempDirectory();
        Directory.CreateDirectory(temp.Combine("a", "b"));
        Directory.CreateSymbolicLink(temp.Combine("l"), "a/b");
        var real = RealPaths.Resolve(temp.Path, out _)!;

        Assert.Equal(Path.Combine(real, "a", "b"), RealPaths.Resolve(temp.Combine("l") + "/../b/.", out var errno));
        Assert.Equal(0, errno);
        Assert.Null(RealPaths.Resolve(temp.Combine("missing"), out errno));
        Assert.Equal(Libc.ENoEnt, errno);
    }

    [Fact]
    public void DescriptorPath_NamesTheOpenedFile()
    {
        using var temp = new TempDirectory();
        var path = temp.WriteFile("x.txt", "x");
        File.CreateSymbolicLink(temp.Combine("link"), "x.txt");
        var fd = Libc.OpenPath(Libc.NulTerminated(temp.Combine("link")), Libc.ORdOnly);
        Assert.True(fd >= 0);
        try
        {
            Assert.Equal(RealPaths.Resolve(path, out _), System.Text.Encoding.UTF8.GetString(RealPaths.OfDescriptor(fd)!));
        }
        finally
        {
            Assert.Equal(0, Libc.Close(fd));
        }
    }

    [Theory]
    [InlineData("/srv/music", "/srv/music", true)]
    [InlineData("/srv/music/a", "/srv/music", true)]
    [InlineData("/srv/music2", "/srv/music", false)]
    [InlineData("/srv/musi", "/srv/music", false)]
    [InlineData("/srv", "/srv/music", false)]
    [InlineData("/anything", "/", true)]
    public void IsSameOrUnder_ComparesWholeComponents(string path, string root, bool expected)
        => Assert.Equal(expected, RealPaths.IsSameOrUnder(path, root));
}

using System.Diagnostics;
using HddFs.Testing;

namespace HddFs.Integration.Tests;

/// <summary>Two daemons, one mount: what users do with it (ls -lR, find, cp -r, rsync, sha256sum).</summary>
public sealed class MountTests : IAsyncLifetime
{
    private Party? _party;

    private Party P => _party!;

    public async Task InitializeAsync()
    {
        if (TestEnvironment.MissingFor(Needs.Fuse) is null)
        {
            _party = await Party.StartAsync(Party.StandardTree);
        }
    }

    public async Task DisposeAsync()
    {
        if (_party is not null)
        {
            await _party.DisposeAsync();
        }
    }

    [SystemFact(Needs.Fuse)]
    public void Root_ListsBothPeers()
    {
        var names = Directory.GetDirectories(P.MountPoint).Select(Path.GetFileName).ToHashSet();
        Assert.Contains(P.ServerName, names);
        Assert.Contains(P.ClientName, names);
    }

    [SystemFact(Needs.Fuse)]
    public void Tree_NamesSizesAndTypes_EqualTheSource()
    {
        Assert.Equal(Describe(P.Source), Describe(P.Remote));
    }

    [SystemFact(Needs.Fuse)]
    public void Files_HashEqual()
    {
        foreach (var file in Directory.EnumerateFiles(P.Source, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(P.Source, file);
            Assert.Equal(Party.Sha256(file), Party.Sha256(Path.Combine(P.Remote, relative)));
        }
    }

    [SystemFact(Needs.Fuse)]
    public void LsLR_And_Find_Work()
    {
        var ls = ProcessRunner.RunChecked("ls", "-lR", P.Remote);
        Assert.Contains("yetanotherfile", ls.StandardOutput, StringComparison.Ordinal);
        var find = ProcessRunner.RunChecked("find", P.Remote, "-type", "f", "-printf", "%P %s\n");
        var expected = ProcessRunner.RunChecked("find", P.Source, "-type", "f", "-printf", "%P %s\n");
        Assert.Equal(Sorted(expected.StandardOutput), Sorted(find.StandardOutput));
    }

    [SystemFact(Needs.Fuse)]
    public void CpR_CopyEqualsSource()
    {
        var copy = Path.Combine(P.Root.Path, "copy");
        ProcessRunner.RunChecked("cp", "-r", P.Remote, copy);
        var diff = ProcessRunner.Run("diff", ["-r", P.Source, copy]);
        Assert.True(diff.ExitCode == 0, diff.StandardOutput + diff.StandardError);
    }

    [SystemFact(Needs.Fuse)]
    public void RsyncA_CopyEqualsSource()
    {
        var copy = Path.Combine(P.Root.Path, "rsynced");
        ProcessRunner.RunChecked("rsync", "-a", P.Remote + "/", copy + "/");
        var diff = ProcessRunner.Run("diff", ["-r", P.Source, copy]);
        Assert.True(diff.ExitCode == 0, diff.StandardOutput + diff.StandardError);
    }

    [SystemFact(Needs.Fuse)]
    public void Sha256sum_OfTheFilm_MatchesAndXattrsShowItCached()
    {
        var remote = Path.Combine(P.Remote, "film.mkv");
        var sum = ProcessRunner.RunChecked("sha256sum", remote).StandardOutput.Split(' ')[0];
        Assert.Equal(Party.Sha256(Path.Combine(P.Source, "film.mkv")), sum);
        var attrs = ProcessRunner.RunChecked("getfattr", "-d", "-m", "user.hddfs", remote).StandardOutput;
        Assert.Contains($"user.hddfs.cached=\"{new FileInfo(Path.Combine(P.Source, "film.mkv")).Length}\"", attrs, StringComparison.Ordinal);
        Assert.Contains("user.hddfs.state=\"cached\"", attrs, StringComparison.Ordinal);
        Assert.Contains("user.hddfs.peer=", attrs, StringComparison.Ordinal);
    }

    [SystemFact(Needs.Fuse)]
    public void Writes_AreReadOnlyFileSystem()
    {
        foreach (var (file, args) in new (string, string[])[]
        {
            ("touch", [Path.Combine(P.Remote, "new")]),
            ("mkdir", [Path.Combine(P.Remote, "newdir")]),
            ("rm", [Path.Combine(P.Remote, "somefile")]),
            ("mv", [Path.Combine(P.Remote, "somefile"), Path.Combine(P.Remote, "renamed")]),
            ("chmod", ["777", Path.Combine(P.Remote, "somefile")]),
        })
        {
            var result = ProcessRunner.Run(file, args);
            Assert.NotEqual(0, result.ExitCode);
            Assert.Contains("Read-only file system", result.StandardError, StringComparison.Ordinal);
        }

        Assert.True(File.Exists(Path.Combine(P.Source, "somefile")));
    }

    [SystemFact(Needs.Fuse)]
    public void OwnShares_AppearUnderOwnName()
        => Assert.True(Directory.Exists(Path.Combine(P.MountPoint, P.ClientName)));

    private static List<string> Describe(string root)
        => Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories)
            .Select(p => (Relative: Path.GetRelativePath(root, p), Info: new FileInfo(p)))
            .Select(e => Directory.Exists(Path.Combine(root, e.Relative)) ? $"d {e.Relative}" : $"f {e.Relative} {e.Info.Length}")
            .Order(StringComparer.Ordinal)
            .ToList();

    private static List<string> Sorted(string lines) => lines.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal).ToList();
}

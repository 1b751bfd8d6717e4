using HddFs.Testing;

namespace HddFs.Mount.Tests;

/// <summary>Every mutation fails with EROFS, checked both through the tools users run and through the
/// system calls themselves (exact errno).</summary>
public sealed class ReadOnlyTests
{
    [SystemFact(Needs.Fuse)]
    public async Task Tools_ThatWrite_SayReadOnlyFileSystem()
    {
        await using var party = await MountedParty.StartAsync();
        var file = party["alice/Docs/a b c.txt"];
        var directory = party["alice/Docs"];

        string[][] commands =
        [
            ["touch", file],
            ["touch", Path.Combine(directory, "new.txt")],
            ["mkdir", Path.Combine(directory, "newdir")],
            ["rm", "-f", file],
            ["rmdir", party["alice/Photos/empty"]],
            ["mv", file, Path.Combine(directory, "moved.txt")],
            ["chmod", "644", file],
            ["sh", "-c", $"echo x >> '{file}'"],
            ["truncate", "-s", "0", file],
            ["setfattr", "-n", "user.x", "-v", "1", file],
            ["ln", "-s", "target", Path.Combine(directory, "link")],
            ["cp", "/etc/hostname", directory],
        ];
        foreach (var command in commands)
        {
            var result = await Shell.RunAsync(command[0], command[1..], TimeSpan.FromSeconds(30));
            Assert.True(result.Exit != 0, $"{string.Join(' ', command)} succeeded");
            Assert.Contains("Read-only file system", result.Errors, StringComparison.Ordinal);
        }

        Assert.Equal("spaces in the name\n", await File.ReadAllTextAsync(file));
    }

    [SystemFact(Needs.Fuse)]
    public async Task SystemCalls_ThatMutate_FailWithErofs()
    {
        await using var party = await MountedParty.StartAsync();
        var file = party["bob/Share/other.bin"];
        var directory = party["bob/Share"];
        var fresh = Path.Combine(directory, "fresh");

        Assert.Equal(Libc.EROFS, Libc.Open(file, Libc.O_WRONLY));
        Assert.Equal(Libc.EROFS, Libc.Open(file, Libc.O_RDWR));
        Assert.Equal(Libc.EROFS, Libc.Open(file, Libc.O_RDONLY | Libc.O_TRUNC));
        Assert.Equal(Libc.EROFS, Libc.Open(file, Libc.O_WRONLY | Libc.O_APPEND));
        Assert.Equal(Libc.EROFS, Libc.Open(fresh, Libc.O_WRONLY | Libc.O_CREAT));
        Assert.Equal(Libc.EROFS, Libc.Mkdir(fresh));
        Assert.Equal(Libc.EROFS, Libc.Rmdir(party["bob/Share/nested"]));
        Assert.Equal(Libc.EROFS, Libc.Unlink(file));
        Assert.Equal(Libc.EROFS, Libc.Rename(file, fresh));
        Assert.Equal(Libc.EROFS, Libc.Chmod(file, 0x1B6));
        Assert.Equal(Libc.EROFS, Libc.Chown(file, 1, 1));
        Assert.Equal(Libc.EROFS, Libc.Truncate(file, 0));
        Assert.Equal(Libc.EROFS, Libc.TouchTimes(file));
        Assert.Equal(Libc.EROFS, Libc.Symlink("other.bin", fresh));
        Assert.Equal(Libc.EROFS, Libc.Link(file, fresh));
        Assert.Equal(Libc.EROFS, Libc.SetXAttr(file, "user.hddfs.state", "cached"u8.ToArray()));
        Assert.Equal(Libc.EROFS, Libc.RemoveXAttr(file, "user.hddfs.peer"));
        Assert.Equal(Libc.EROFS, Libc.Access(file, Libc.W_OK));

        // Reading still works, and nothing was created.
        Assert.Equal(0, Libc.Access(file, Libc.R_OK));
        Assert.Equal(0, Libc.Open(file, Libc.O_RDONLY));
        Assert.False(File.Exists(fresh));
        Assert.Equal(TestTree.Bob["Share/other.bin"].Content, await File.ReadAllBytesAsync(file));
    }
}

using System.Text.Json;
using HddFs.Testing;

namespace HddFs.Cli.Tests;

/// <summary>The `hddfs` binary as a user runs it: help, identity, usage errors, no daemon.</summary>
public sealed class CliTests
{
    private static ProcessRunner.Result Hddfs(params string[] args)
        => ProcessRunner.Run("dotnet", [Path.Combine(AppContext.BaseDirectory, "hddfs.dll"), .. args], TimeSpan.FromSeconds(60));

    [Fact]
    public void Help_ListsEveryVerb()
    {
        var help = Hddfs("--help");
        Assert.Equal(0, help.ExitCode);
        foreach (var verb in new[] { "mount", "start", "id", "peers", "ls", "cat", "shares", "topics", "unmount" })
        {
            Assert.Contains(verb, help.StandardOutput, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Id_CreatesIdentityOnce_AndJsonCarriesTheFullKey()
    {
        using var dir = new TempDirectory("cli-id");
        var first = Hddfs("id", "--data-dir", dir.Path, "--json");
        Assert.Equal(0, first.ExitCode);
        using var doc = JsonDocument.Parse(first.StandardOutput);
        var key = doc.RootElement.GetProperty("key").GetString()!;
        Assert.Equal(64, key.Length);
        Assert.StartsWith(doc.RootElement.GetProperty("fingerprint").GetString()!, key, StringComparison.Ordinal);
        Assert.Matches("^[a-z]+-[a-z]+$", doc.RootElement.GetProperty("name").GetString()!);

        var again = Hddfs("id", "--data-dir", dir.Path);
        Assert.Equal(0, again.ExitCode);
        Assert.Contains(key, again.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public void Id_CorruptKey_ClearErrorAndNonZero()
    {
        using var dir = new TempDirectory("cli-bad");
        dir.WriteFile("identity.key", "not a key");
        var result = Hddfs("id", "--data-dir", dir.Path);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("corrupt", result.StandardError, StringComparison.Ordinal);
        Assert.Equal("not a key", File.ReadAllText(Path.Combine(dir.Path, "identity.key")));
    }

    [Theory]
    [InlineData("start", "--port", "70000")]
    [InlineData("start", "--cache-size", "lots")]
    [InlineData("start", "--mqtt", "http://example")]
    [InlineData("start", "--timeout", "-1")]
    [InlineData("cat", "peer/file", "--offset", "-5")]
    [InlineData("bogus")]
    public void BadArguments_UsageErrorExit2(params string[] args)
    {
        var result = Hddfs(args);
        Assert.Equal(2, result.ExitCode);
        Assert.False(string.IsNullOrWhiteSpace(result.StandardError));
    }

    [Theory]
    [InlineData("peers")]
    [InlineData("ls", "somebody/Music")]
    [InlineData("cat", "somebody/Music/a.flac")]
    [InlineData("shares")]
    public void NoDaemon_SaysSoWithExit3(params string[] args)
    {
        using var dir = new TempDirectory("cli-nod");
        var result = Hddfs([.. args, "--data-dir", dir.Path]);
        Assert.Equal(3, result.ExitCode);
        Assert.Contains("No hddfs daemon is running", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public void Unmount_NotAMount_FailsWithoutTouchingIt()
    {
        using var dir = new TempDirectory("cli-um");
        var result = Hddfs("unmount", dir.Path);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("not a FUSE mount", result.StandardError, StringComparison.Ordinal);
        Assert.True(Directory.Exists(dir.Path));
    }
}

using HddFs.Core;
using HddFs.Shares.Interop;
using HddFs.Testing;
using Microsoft.Extensions.Logging;

namespace HddFs.Shares.Tests;

/// <summary>What cannot be served is left out, with a warning where a user would wonder, and never
/// stops the scan.</summary>
public sealed class SkippedEntriesTests
{
    [Fact]
    public async Task SpecialFiles_AreSkippedWithoutHanging()
    {
        await using var f = await IndexFixture.CreateAsync();
        f.Write("S/normal.txt", "ok");
        ShellTools.MakeFifo(f.DataPath("S/fifo"));
        ShellTools.MakeSocket(f.DataPath("S/socket"));
        var hasDevice = ShellTools.TryMakeCharacterDevice(f.DataPath("S/null-device"));

        await f.Index.AddShareAsync(f.DataPath("S")).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(["S/normal.txt"], await f.NamesAsync("S", recursive: true));
        Assert.True(f.Logs.Has(LogLevel.Debug, "not a regular file"));
        Assert.True(hasDevice || !TestEnvironment.IsRoot);
    }

    [Fact]
    public async Task NameThatIsNotUtf8_IsSkippedWithAWarning()
    {
        await using var f = await IndexFixture.CreateAsync();
        f.Write("S/good.txt", "ok");
        ShellTools.MakeNonUtf8File(f.DataPath("S"));
        try
        {
            await f.Index.AddShareAsync(f.DataPath("S"));

            Assert.Equal(["S/good.txt"], await f.NamesAsync("S", recursive: true));
            Assert.True(f.Logs.Has(LogLevel.Warning, "not valid UTF-8"));
        }
        finally
        {
            ShellTools.RemoveTree(f.DataPath("S"));
        }
    }

    [Fact]
    public async Task UnreadableDirectory_IsHiddenWithAWarning_AndComesBackWhenReadable()
    {
        // Root reads everything (chmod 000 does not stop it), so the listing failure is injected.
        var failing = 0;
        var options = new ShareIndexOptions
        {
            WatchForChanges = false,
            RescanInterval = Timeout.InfiniteTimeSpan,
            DeepRescanInterval = Timeout.InfiniteTimeSpan,
            RacyWindow = TimeSpan.Zero,
            ListingFault = path => Volatile.Read(ref failing) == 1 && path.EndsWith("/S/locked", StringComparison.Ordinal) ? Libc.EAcces : 0,
        };
        await using var f = await IndexFixture.CreateAsync(options);
        f.Write("S/open/a.txt", "aaa");
        f.Write("S/locked/b.txt", "bb");
        f.Write("S/locked/deeper/c.txt", "c");
        Volatile.Write(ref failing, 1);

        await f.Index.AddShareAsync(f.DataPath("S"));

        Assert.Equal(["S/open", "S/open/a.txt"], await f.NamesAsync("S", recursive: true));
        Assert.Null(f.Index.GetEntry(SharePath.Parse("S/locked")));
        Assert.Equal(3, f.Index.GetEntry(SharePath.Parse("S"))!.Size);
        Assert.True(f.Logs.Has(LogLevel.Warning, "Cannot read directory"));

        // Unchanged since it failed: a quick scan does not try (and warn) again.
        var again = await f.Index.RescanAsync();
        Assert.Equal(0, again.DirectoriesListed);

        Volatile.Write(ref failing, 0);
        File.SetUnixFileMode(f.DataPath("S/locked"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await f.Index.RescanAsync();

        Assert.Equal(["S/locked", "S/locked/b.txt", "S/locked/deeper", "S/locked/deeper/c.txt", "S/open", "S/open/a.txt"], await f.NamesAsync("S", recursive: true));
        Assert.Equal(6, f.Index.GetEntry(SharePath.Parse("S"))!.Size);
    }

    [Fact]
    public async Task ReadableDirectory_BecomesUnreadable_ItsContentsAreDropped()
    {
        var failing = 0;
        var options = new ShareIndexOptions
        {
            WatchForChanges = false,
            RescanInterval = Timeout.InfiniteTimeSpan,
            DeepRescanInterval = Timeout.InfiniteTimeSpan,
            RacyWindow = TimeSpan.Zero,
            ListingFault = path => Volatile.Read(ref failing) == 1 && path.EndsWith("/S/sub", StringComparison.Ordinal) ? Libc.EAcces : 0,
        };
        await using var f = await IndexFixture.CreateAsync(options);
        f.Write("S/sub/x/y.txt", "yy");
        await f.Index.AddShareAsync(f.DataPath("S"));
        Assert.Equal(2, f.Index.GetEntry(SharePath.Parse("S"))!.Size);

        Volatile.Write(ref failing, 1);
        var changes = new List<string>();
        f.Index.Changed += (_, e) => changes.AddRange(e.Paths.Select(p => p.Value));
        await f.Index.RescanAsync(deep: true);

        Assert.Empty(await f.ListAsync("S", recursive: true));
        Assert.Equal(0, f.Index.GetEntry(SharePath.Parse("S"))!.Size);
        Assert.Contains("S/sub", changes);
        Assert.Throws<RemoteShareException>(() => f.Index.OpenRead(SharePath.Parse("S/sub/x/y.txt")));
    }

    [Fact]
    public async Task Chmod000_AsNonRoot_FileAndDirectoryAreSkipped()
    {
        if (TestEnvironment.IsRoot)
        {
            // Root bypasses permission bits (CAP_DAC_OVERRIDE): there is nothing to observe. The
            // directory case is covered by the injected failures above; the file prediction below.
            Assert.True(ProcessCredentials.Current.IsRoot);
            return;
        }

        await using var f = await IndexFixture.CreateAsync();
        f.Write("S/ok.txt", "ok");
        var file = f.Write("S/secret.txt", "secret");
        f.Write("S/closed/inner.txt", "inner");
        File.SetUnixFileMode(file, UnixFileMode.None);
        File.SetUnixFileMode(f.DataPath("S/closed"), UnixFileMode.None);
        try
        {
            await f.Index.AddShareAsync(f.DataPath("S"));

            Assert.Equal(["S/ok.txt"], await f.NamesAsync("S", recursive: true));
            Assert.True(f.Logs.Has(LogLevel.Warning, "not readable"));
            Assert.True(f.Logs.Has(LogLevel.Warning, "Cannot read directory"));
        }
        finally
        {
            File.SetUnixFileMode(f.DataPath("S/closed"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    [Fact]
    public void ReadPrediction_FollowsModeBitsForOthers()
    {
        var credentials = ProcessCredentials.Current;
        var stat = new StatxBuffer { Mode = 0x8000, Uid = 123456, Gid = 123456 };

        Assert.Equal(credentials.IsRoot, credentials.CanRead(stat));
        stat.Mode = 0x8000 | 0x4;
        Assert.True(credentials.CanRead(stat));
    }
}

using System.Diagnostics;
using HddFs.Testing;
using HddFs.Vfs;
using Xunit.Abstractions;

namespace HddFs.Mount.Tests;

/// <summary>Lost and hanging peers: cached data keeps being served, uncached reads fail with EIO within the
/// VFS deadline, and no reader is ever stuck (every process runs under a timeout).</summary>
public sealed class FailureTests(ITestOutputHelper output)
{
    [SystemFact(Needs.Fuse)]
    public async Task OfflinePeer_CachedFileAndListingServed_UncachedReadIsEioAtOnce()
    {
        await using var party = await MountedParty.StartAsync();
        var cached = party["alice/Music/album/track02.flac"];
        var uncached = party["alice/Docs/uncached.bin"];
        var expected = TestTree.Alice["Music/album/track02.flac"].Sha256;
        Assert.Equal(expected, (await Shell.RunAsync("sha256sum", cached)).EnsureSuccess("first read").Output.Split(' ')[0]);
        Assert.True(File.Exists(uncached)); // its directory listing is cached, its bytes are not

        party.Party.SetConnected(party.Alice.Peer, false);
        (await Shell.RunAsync("dd", $"if={cached}", "iflag=nocache", "count=0", "status=none")).EnsureSuccess("drop pages");
        party.Alice.ResetCounters();

        var again = await Shell.RunAsync("sha256sum", [cached], TimeSpan.FromSeconds(10));
        Assert.Equal(expected, again.EnsureSuccess("cached read").Output.Split(' ')[0]);
        var failed = await Shell.RunAsync("cat", [uncached], TimeSpan.FromSeconds(10));
        Assert.NotEqual(0, failed.Exit);
        Assert.Contains("Input/output error", failed.Errors, StringComparison.Ordinal);
        Assert.True(failed.Elapsed < TimeSpan.FromSeconds(2), $"EIO took {failed.Elapsed}");
        var watch = Stopwatch.StartNew();
        Assert.Equal(-Libc.EIO, Libc.ReadAt(uncached, 0, new byte[4096]));
        output.WriteLine($"offline peer: EIO after {watch.Elapsed.TotalMilliseconds:0.0} ms");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1));

        var listing = await Shell.RunAsync("ls", ["-l", party["alice/Docs"]], TimeSpan.FromSeconds(10));
        Assert.Contains("uncached.bin", listing.EnsureSuccess("ls of a cached directory").Output, StringComparison.Ordinal);
        Assert.Equal(0, party.Alice.ReadRequests);

        // Other peers are unaffected.
        Assert.Equal(TestTree.Bob["Share/other.bin"].Content, await File.ReadAllBytesAsync(party["bob/Share/other.bin"]));
    }

    [SystemTheory(Needs.Fuse)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task HangingPeer_UncachedReadIsEioWithinTheDeadline(bool hangBodies)
    {
        var options = MountedParty.FastOptions();
        await using var party = await MountedParty.StartAsync(vfsOptions: options);
        var file = party["bob/Videos/clip.bin"];
        Assert.True(File.Exists(file));

        if (hangBodies)
        {
            party.Bob.HangBodies = true; // answers, then never sends the bytes
        }
        else
        {
            party.Bob.Hang = true;
        }

        var result = await Shell.RunAsync("dd", [$"if={file}", "of=/dev/null", "bs=1M"], TimeSpan.FromSeconds(20));
        output.WriteLine($"hanging peer ({(hangBodies ? "stalled body" : "no answer")}): dd failed after {result.Elapsed.TotalMilliseconds:0} ms (RequestTimeout {options.RequestTimeout.TotalSeconds} s)");
        Assert.NotEqual(0, result.Exit);
        Assert.Contains("Input/output error", result.Errors, StringComparison.Ordinal);
        Assert.True(result.Elapsed >= options.RequestTimeout * 0.8, $"EIO after {result.Elapsed}: before the deadline?");
        Assert.True(result.Elapsed < options.RequestTimeout + TimeSpan.FromSeconds(2.5), $"EIO after {result.Elapsed}");

        // The peer now fails fast: the next uncached read is EIO at once; the mount stays usable.
        var watch = Stopwatch.StartNew();
        Assert.Equal(-Libc.EIO, Libc.ReadAt(party["bob/Share/other.bin"], 0, new byte[4096]));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1.5), $"fail-fast EIO after {watch.Elapsed}");
        Assert.Equal("Hello from me\n", await File.ReadAllTextAsync(party["me/Public/hello.txt"]));
    }

    [SystemFact(Needs.Fuse)]
    public async Task KilledReader_OnAHangingPeer_ReturnsPromptlyAndTheMountStaysUsable()
    {
        // A long deadline: only the interrupt can end these reads quickly.
        var options = MountedParty.FastOptions();
        options = new VfsOptions
        {
            RequestTimeout = TimeSpan.FromSeconds(60),
            ListingTtl = TimeSpan.FromMinutes(5),
            AttributeTimeout = options.AttributeTimeout,
            EntryTimeout = options.EntryTimeout,
            NegativeEntryTimeout = options.NegativeEntryTimeout,
            Uid = options.Uid,
            Gid = options.Gid,
        };
        await using var party = await MountedParty.StartAsync(vfsOptions: options);
        var direct = party["bob/Videos/clip.bin"];
        var buffered = party["bob/Share/other.bin"];
        Assert.True(File.Exists(direct) && File.Exists(buffered));
        party.Bob.Hang = true;

        // O_DIRECT: the READ is the process's own request, so the kernel sends INTERRUPT when it is killed.
        await KillWhileReadingAsync(party, ["dd", $"if={direct}", "of=/dev/null", "bs=4k", "count=1", "iflag=direct"], "O_DIRECT read");
        Assert.True(SpinWait.SpinUntil(() => party.Mount.GetStatistics().RequestsInFlight == 0, TimeSpan.FromSeconds(2)), "the interrupted READ was not answered");

        // Buffered: the READ is the kernel's readahead; the killed reader stops waiting for its page.
        await KillWhileReadingAsync(party, ["cat", buffered], "buffered read");

        party.Bob.Hang = false;
        Assert.Equal(["alice", "bob", "me"], Directory.GetDirectories(party.Root).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(TestTree.Alice["Music/readme.txt"].Content, await File.ReadAllBytesAsync(party["alice/Music/readme.txt"]));
        Assert.Equal(TestTree.Bob["Videos/clip.bin"].Sha256, (await Shell.RunAsync("sha256sum", direct)).EnsureSuccess("read after").Output.Split(' ')[0]);
    }

    private async Task KillWhileReadingAsync(MountedParty party, string[] command, string what)
    {
        var before = party.Bob.ReadRequests;
        using var reader = Shell.Start(command[0], command[1..]);
        try
        {
            Assert.True(SpinWait.SpinUntil(() => party.Bob.ReadRequests > before, TimeSpan.FromSeconds(10)), $"{what} never reached the peer");
            await Task.Delay(200);
            Assert.False(reader.HasExited, $"{what} finished on a hanging peer");

            var watch = Stopwatch.StartNew();
            reader.Kill();
            await reader.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            output.WriteLine($"{what}: killed reader exited after {watch.Elapsed.TotalMilliseconds:0} ms");
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"{what}: the killed reader took {watch.Elapsed} to exit");
        }
        finally
        {
            if (!reader.HasExited)
            {
                reader.Kill();
            }
        }
    }
}

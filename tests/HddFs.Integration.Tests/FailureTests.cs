using System.Diagnostics;
using HddFs.Testing;

namespace HddFs.Integration.Tests;

/// <summary>What happens when things go wrong: the serving peer dies, mounts go away or go stale.</summary>
public sealed class FailureTests
{
    [SystemFact(Needs.Fuse)]
    public async Task ServerKilled_UncachedReadFailsWithin5s_CachedStillReads()
    {
        await using var party = await Party.StartAsync(Party.StandardTree);
        var cached = Path.Combine(party.Remote, "subdir", "anotherfile");
        Assert.Equal("again\n", await File.ReadAllTextAsync(cached));
        var listing = Directory.GetFileSystemEntries(party.Remote).Length;

        party.Server.Kill();

        var watch = Stopwatch.StartNew();
        var cat = await Task.Run(() => ProcessRunner.Run("cat", [Path.Combine(party.Remote, "film.mkv")], TimeSpan.FromSeconds(60)));
        watch.Stop();
        Assert.NotEqual(0, cat.ExitCode);
        Assert.Contains("Input/output error", cat.StandardError, StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"uncached read failed only after {watch.Elapsed}");

        // Cached data and listings of a lost peer are still served.
        Assert.Equal("again\n", await File.ReadAllTextAsync(cached));
        Assert.Equal(listing, Directory.GetFileSystemEntries(party.Remote).Length);
    }

    [SystemFact(Needs.Fuse)]
    public async Task ExternalUmount_DaemonExitsCleanly()
    {
        await using var party = await Party.StartAsync(Party.StandardTree);
        ProcessRunner.RunChecked("umount", party.MountPoint);
        await Wait.UntilAsync(() => party.Client.HasExited, TimeSpan.FromSeconds(20), "the mounting daemon to exit");
        Assert.Equal(0, await party.Client.StopAsync());
    }

    [SystemFact(Needs.Fuse)]
    public async Task HddfsUnmount_DaemonExitsCleanly()
    {
        await using var party = await Party.StartAsync(Party.StandardTree);
        var (file, prefix) = HddfsBinary.Command();
        ProcessRunner.Run(file, [.. prefix, "unmount", party.MountPoint]).EnsureSuccess("hddfs unmount");
        await Wait.UntilAsync(() => party.Client.HasExited, TimeSpan.FromSeconds(20), "the mounting daemon to exit");
        Assert.False(IsMounted(party.MountPoint));
    }

    [SystemFact(Needs.Fuse)]
    public async Task MountingDaemonKilled_StaleMountRepairedAtNextStart()
    {
        await using var party = await Party.StartAsync(Party.StandardTree);
        party.Client.Kill();
        var stat = ProcessRunner.Run("stat", [party.MountPoint]);
        Assert.Contains("Transport endpoint is not connected", stat.StandardError, StringComparison.Ordinal);

        await using var again = await DaemonProcess.StartAsync(
            party.Client.DataDirectory,
            ["mount", party.MountPoint, "--topic", "party", "--no-mqtt", "--no-mdns"],
            mountPoint: party.MountPoint);
        await Wait.UntilAsync(() => Directory.Exists(Path.Combine(party.MountPoint, party.ClientName)), TimeSpan.FromSeconds(20), "the repaired mount");
        Assert.Contains("stale", again.Output, StringComparison.OrdinalIgnoreCase);
    }

    [SystemFact(Needs.Fuse)]
    public async Task CacheUnderLoad_NeverAboveCapPlusOneBlock()
    {
        const long cap = 8L << 20;
        await using var party = await Party.StartAsync(
            root =>
            {
                for (var i = 0; i < 6; i++)
                {
                    File.WriteAllBytes(Path.Combine(root, $"part{i}.bin"), Party.Bytes(10 * 1024 * 1024, i));
                }
            },
            clientArgs: ["--cache-size", "8M"]);
        var cacheDir = Path.Combine(party.Client.DataDirectory, "cache");
        long max = 0;
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                max = Math.Max(max, DiskUsage(cacheDir));
                await Task.Delay(5);
            }
        });

        // Read everything twice: about 7x the cap, with the block cache evicting all the way.
        for (var round = 0; round < 2; round++)
        {
            foreach (var file in Directory.GetFiles(party.Remote))
            {
                Assert.Equal(Party.Sha256(Path.Combine(party.Source, Path.GetFileName(file))), Party.Sha256(file));
            }
        }

        await stop.CancelAsync();
        await sampler;
        Assert.True(max > 0, "the sampler saw no cached block at all");
        Assert.True(max <= cap + (1 << 20), $"cache reached {max} bytes, cap {cap}");
    }

    private static long DiskUsage(string directory)
    {
        long total = 0;
        try
        {
            foreach (var file in new DirectoryInfo(directory).EnumerateFiles("*", SearchOption.AllDirectories))
            {
                try
                {
                    if (file.Name is not ("FORMAT" or "LOCK" or "access-order"))
                    {
                        total += file.Length;
                    }
                }
                catch (FileNotFoundException)
                {
                }
            }
        }
        catch (DirectoryNotFoundException)
        {
        }

        return total;
    }

    private static bool IsMounted(string path)
        => File.ReadLines("/proc/self/mountinfo").Any(l => l.Split(' ')[4] == path);
}

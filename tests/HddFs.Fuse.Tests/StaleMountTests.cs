using System.Diagnostics;
using HddFs.Testing;

namespace HddFs.Fuse.Tests;

/// <summary>
/// HelloFs in a child process: killed with SIGKILL it leaves a stale mount ("Transport endpoint is not
/// connected") that IsStale detects and RepairStale removes; stopped with SIGTERM it unmounts itself.
/// </summary>
public sealed class StaleMountTests
{
    [SystemFact(Needs.Fuse)]
    public async Task StaleMount_DaemonKilled_DetectedRefusedAndRepaired()
    {
        using var directory = new TempDirectory("hddfs-stale");
        using var daemon = StartHelloFs(directory.Path);
        try
        {
            await WaitForMounted(daemon);
            Assert.Equal("Hello, world!\n", await File.ReadAllTextAsync(directory.Combine("hello.txt")));
            Assert.False(FuseMount.IsStale(directory.Path));

            daemon.Kill(); // SIGKILL: no chance to unmount
            await daemon.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));

            Assert.True(SpinWait.SpinUntil(() => FuseMount.IsStale(directory.Path), TimeSpan.FromSeconds(10)));
            var refused = Assert.Throws<IOException>(() => FuseMount.Mount(directory.Path, new FuseMountOptions(), new TestFileSystem()));
            Assert.Contains("RepairStale", refused.Message, StringComparison.Ordinal);

            Assert.True(FuseMount.RepairStale(directory.Path));

            Assert.False(FuseMount.IsStale(directory.Path));
            Assert.Null(MountTable.FindFuse(directory.Path));
            Assert.False(FuseMount.RepairStale(directory.Path)); // nothing left to repair
        }
        finally
        {
            if (!daemon.HasExited)
            {
                daemon.Kill();
            }

            if (MountTable.FindFuse(directory.Path) is not null)
            {
                await Run.Program("umount", "-l", directory.Path);
            }
        }
    }

    [SystemFact(Needs.Fuse)]
    public async Task HelloFs_Sigterm_UnmountsAndExitsCleanly()
    {
        using var directory = new TempDirectory("hddfs-hello");
        using var daemon = StartHelloFs(directory.Path);
        try
        {
            await WaitForMounted(daemon);
            Assert.Equal(1 << 20, new FileInfo(directory.Combine("data", "big.bin")).Length);
            Assert.Equal("file 7\n", await File.ReadAllTextAsync(directory.Combine("many", "file-00007.txt")));
            Assert.Contains("user.greeting=\"hello\"", (await Run.Program("getfattr", "-d", "--absolute-names", directory.Combine("hello.txt"))).Output, StringComparison.Ordinal);
            Assert.Contains("No such attribute", (await Run.Program("getfattr", "-n", "user.nothere", directory.Combine("hello.txt"))).Errors, StringComparison.Ordinal);
            Assert.Equal("hello.txt\n", (await Run.Program("readlink", directory.Combine("link"))).Output);

            var (exit, _, errors) = await Run.Program("kill", "-TERM", daemon.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.True(exit == 0, errors);

            await daemon.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(0, daemon.ExitCode);
            Assert.Null(MountTable.FindFuse(directory.Path));
            Assert.False(FuseMount.IsStale(directory.Path));
        }
        finally
        {
            if (!daemon.HasExited)
            {
                daemon.Kill();
            }

            if (MountTable.FindFuse(directory.Path) is not null)
            {
                await Run.Program("umount", "-l", directory.Path);
            }
        }
    }

    private static Process StartHelloFs(string mountPoint)
    {
        var helloFs = Path.Combine(AppContext.BaseDirectory, "HelloFs.dll");
        Assert.True(File.Exists(helloFs), $"{helloFs} missing (the test project references examples/HelloFs)");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { helloFs, mountPoint, "--size-mib", "1", "--files", "10" })
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start)!;
    }

    private static async Task WaitForMounted(Process daemon)
    {
        var line = await daemon.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(line?.StartsWith("mounted ", StringComparison.Ordinal) == true, $"HelloFs said '{line}': {(daemon.HasExited ? await daemon.StandardError.ReadToEndAsync() : "")}");
    }
}

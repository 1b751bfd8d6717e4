using System.Diagnostics;
using HddFs.Fuse;
using HddFs.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace HddFs.Mount.Tests;

/// <summary>What the daemon relies on: Completion when the kernel unmounts from outside, idempotent
/// unmounting, repair of a stale mount point, refusal of an active one, creation of a missing one.</summary>
public sealed class LifecycleTests
{
    [SystemFact(Needs.Fuse)]
    public async Task UmountFromOutside_CompletesCompletion()
    {
        await using var party = await MountedParty.StartAsync();
        Assert.False(party.Mount.Completion.IsCompleted);
        Assert.Equal(PartyMount.FileSystemType, MountTable.Find(party.Root)?.FileSystemType);
        Assert.Equal("hddfs", MountTable.Find(party.Root)?.Source);

        (await Shell.RunAsync("umount", party.Root)).EnsureSuccess("umount");

        await party.Mount.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Null(MountTable.Find(party.Root));
        Assert.True(party.Logs.Contains("Unmounted"));
    }

    [SystemFact(Needs.Fuse)]
    public async Task Unmount_IsIdempotent_AndDisposeAfterItReturns()
    {
        await using var party = await MountedParty.StartAsync();
        var mount = party.Mount;
        _ = Directory.GetDirectories(party.Root);

        await Task.Run(mount.Unmount);
        await Task.Run(mount.Unmount);
        await mount.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        await mount.DisposeAsync();
        await mount.DisposeAsync();

        Assert.Null(MountTable.Find(party.Root));
        Assert.False(FuseMount.IsStale(party.Root));
        Assert.Empty(Directory.GetFileSystemEntries(party.Root)); // the plain directory again
    }

    [SystemFact(Needs.Fuse)]
    public async Task Unmount_WithAReaderStuckOnAHangingPeer_EndsTheReadAndCompletes()
    {
        var options = MountedParty.FastOptions();
        await using var party = await MountedParty.StartAsync(vfsOptions: new HddFs.Vfs.VfsOptions { RequestTimeout = TimeSpan.FromMinutes(1), Uid = options.Uid, Gid = options.Gid });
        var file = party["bob/Videos/clip.bin"];
        Assert.True(File.Exists(file));
        party.Bob.Hang = true;
        using var reader = Shell.Start("dd", [$"if={file}", "of=/dev/null", "bs=4k", "count=1", "iflag=direct"]);
        try
        {
            Assert.True(SpinWait.SpinUntil(() => party.Bob.ReadRequests > 0, TimeSpan.FromSeconds(10)));

            var watch = Stopwatch.StartNew();
            await Task.Run(party.Mount.Unmount).WaitAsync(TimeSpan.FromSeconds(20));
            await party.Mount.Completion.WaitAsync(TimeSpan.FromSeconds(10));
            await reader.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));

            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"unmount took {watch.Elapsed} (aborted after the unmount timeout?)");
            Assert.NotEqual(0, reader.ExitCode);
        }
        finally
        {
            if (!reader.HasExited)
            {
                reader.Kill();
            }
        }
    }

    [SystemFact(Needs.Fuse)]
    public async Task StaleMountPoint_LeftByAKilledDaemon_IsRepairedAndMounted()
    {
        using var directory = new TempDirectory("hddfs-stale");
        var mountPoint = directory.Combine("mnt");
        Directory.CreateDirectory(mountPoint);
        await using (var party = await MountedParty.StartAsync())
        {
            // The party's own mount point is a fresh one; mount a second view of the same VFS on the stale one.
            using var daemon = Shell.Start("dotnet", [Path.Combine(AppContext.BaseDirectory, "HelloFs.dll"), mountPoint, "--size-mib", "1", "--files", "3"]);
            try
            {
                var line = await daemon.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
                Assert.StartsWith("mounted ", line, StringComparison.Ordinal);
                daemon.Kill(); // SIGKILL: no chance to unmount
                await daemon.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
                Assert.True(SpinWait.SpinUntil(() => FuseMount.IsStale(mountPoint), TimeSpan.FromSeconds(10)), "no stale mount");
                Assert.False(Directory.Exists(Path.Combine(mountPoint, "many"))); // "Transport endpoint is not connected"

                var logs = new TestLoggerFactory();
                await using var mount = await PartyMount.MountAsync(mountPoint, party.Vfs, new PartyMountOptions(), logs, CancellationToken.None);

                Assert.True(logs.Contains("Repaired a stale mount"), string.Join('\n', logs.AtLeast(Microsoft.Extensions.Logging.LogLevel.Information)));
                Assert.Equal(["alice", "bob", "me"], Directory.GetDirectories(mountPoint).Select(Path.GetFileName).Order(StringComparer.Ordinal));
                Assert.Equal("Hello from me\n", await File.ReadAllTextAsync(Path.Combine(mountPoint, "me", "Public", "hello.txt")));
            }
            finally
            {
                if (!daemon.HasExited)
                {
                    daemon.Kill();
                }

                while (MountTable.Find(mountPoint) is not null)
                {
                    await Shell.RunAsync("umount", "-l", mountPoint);
                }
            }
        }
    }

    [SystemFact(Needs.Fuse)]
    public async Task ActiveMountPoint_OfSomethingElse_IsRefusedWithAClearError()
    {
        await using var party = await MountedParty.StartAsync();
        var tmpfs = Path.Combine(party.Scratch, "tmpfs");
        Directory.CreateDirectory(tmpfs);
        (await Shell.RunAsync("mount", "-t", "tmpfs", "-o", "size=1m", "hddfs-test-tmpfs", tmpfs)).EnsureSuccess("mount tmpfs");
        try
        {
            var refused = await Assert.ThrowsAsync<IOException>(() => PartyMount.MountAsync(tmpfs, party.Vfs, new PartyMountOptions(), NullLoggerFactory.Instance, CancellationToken.None));
            Assert.Contains("already a mount point", refused.Message, StringComparison.Ordinal);
            Assert.Contains("tmpfs", refused.Message, StringComparison.Ordinal);

            // The party's own mount point too: a second daemon must not stack on the first.
            var again = await Assert.ThrowsAsync<IOException>(() => PartyMount.MountAsync(party.Root + "/", party.Vfs, new PartyMountOptions(), NullLoggerFactory.Instance, CancellationToken.None));
            Assert.Contains("fuse.hddfs", again.Message, StringComparison.Ordinal);
            Assert.Equal("Hello from me\n", await File.ReadAllTextAsync(party["me/Public/hello.txt"]));
        }
        finally
        {
            await Shell.RunAsync("umount", "-l", tmpfs);
        }
    }

    [SystemFact(Needs.Fuse)]
    public async Task MissingMountPoint_IsCreated_AndAFileIsRefused()
    {
        await using var party = await MountedParty.StartAsync();
        var missing = Path.Combine(party.Scratch, "a", "b", "mnt");
        var file = Path.Combine(party.Scratch, "file");
        await File.WriteAllTextAsync(file, "x");

        await using (var mount = await PartyMount.MountAsync(missing, party.Vfs, new PartyMountOptions(), NullLoggerFactory.Instance, CancellationToken.None))
        {
            Assert.Equal(missing, mount.MountPoint);
            Assert.Equal(["alice", "bob", "me"], Directory.GetDirectories(missing).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        }

        Assert.Null(MountTable.Find(missing));
        var refused = await Assert.ThrowsAsync<IOException>(() => PartyMount.MountAsync(file, party.Vfs, new PartyMountOptions(), NullLoggerFactory.Instance, CancellationToken.None));
        Assert.Contains("not a directory", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MountAsync_InvalidOptionsOrCancelled_ThrowsBeforeMounting()
    {
        await using var party = await UnmountedVfs.CreateAsync();
        using var directory = new TempDirectory("hddfs-nomount");
        await Assert.ThrowsAsync<ArgumentException>(() => PartyMount.MountAsync(directory.Path, party.Vfs, new PartyMountOptions { ReaderThreads = 0 }, NullLoggerFactory.Instance, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => PartyMount.MountAsync(directory.Path, party.Vfs, new PartyMountOptions { ReadAheadKb = -1 }, NullLoggerFactory.Instance, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => PartyMount.MountAsync(directory.Path, party.Vfs, new PartyMountOptions { InvalidationQueueCapacity = 0 }, NullLoggerFactory.Instance, CancellationToken.None));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => PartyMount.MountAsync(directory.Path, party.Vfs, new PartyMountOptions(), NullLoggerFactory.Instance, new CancellationToken(canceled: true)));
        Assert.Null(MountTable.Find(directory.Path));
    }
}

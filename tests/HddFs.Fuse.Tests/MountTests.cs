using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using HddFs.Testing;
using Xunit.Abstractions;

namespace HddFs.Fuse.Tests;

/// <summary>
/// Real mounts exercised with real syscalls and programs (ls, stat, cat, sha256sum, getfattr, touch,
/// mkdir). Each test mounts its own filesystem in a temp directory and unmounts it, even on failure.
/// </summary>
public sealed class MountTests(ITestOutputHelper output)
{
    [SystemFact(Needs.Fuse)]
    public async Task LsLong_Root_ListsEverythingFromReadDirPlusWithoutLookups()
    {
        var fs = new TestFileSystem();
        await using var mount = MountedFileSystem.Mount(fs);

        var (exit, output, errors) = await Run.Program("ls", "-l", mount.MountPoint);

        Assert.True(exit == 0, errors);
        Assert.Matches(@"-rw-r--r-- 1 \S+ \S+ +14 .* hello\.txt", output);
        Assert.Matches(@"-rw-r--r-- 1 \S+ \S+ +67108864 .* big\.bin", output);
        Assert.Matches(@"lrwxrwxrwx 1 .* link -> hello\.txt", output);
        Assert.Matches(@"drwxr-xr-x .* dir", output);
        Assert.True(fs.Calls.GetValueOrDefault(FuseOpcode.ReadDirPlus) > 0);
        Assert.Equal(0, fs.LookupCount("hello.txt")); // the entries came with READDIRPLUS
        Assert.Empty(mount.Errors);
    }

    [SystemFact(Needs.Fuse)]
    public async Task LsLong_DirectoryLargerThanOneBuffer_ListsAllEntries()
    {
        var fs = new TestFileSystem { DirectoryEntries = 3000 };
        await using var mount = MountedFileSystem.Mount(fs);

        var entries = Directory.GetFiles(mount["dir"]);
        var (exit, output, _) = await Run.Program("ls", "-la", mount["dir"]);

        Assert.Equal(3000, entries.Length);
        Assert.Contains(mount["dir/f2999"], entries);
        Assert.Equal(0, exit);
        Assert.Equal(3000 + 2 + 1, output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length); // + ".", ".." and "total"
        Assert.True(fs.Calls[FuseOpcode.ReadDirPlus] > 2, "a 3000-entry listing needs several READDIRPLUS requests");
    }

    [SystemFact(Needs.Fuse)]
    public async Task Stat_File_ShowsTheFilesystemsAttributes()
    {
        await using var mount = MountedFileSystem.Mount(new TestFileSystem());

        var (exit, output, errors) = await Run.Program("stat", "-c", "%s %a %F %i %h %Y", mount["hello.txt"]);

        Assert.True(exit == 0, errors);
        Assert.Equal("14 644 regular file 2 1 1714979289", output.Trim());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(mount["hello.txt"]));
        Assert.True(Directory.Exists(mount["dir"]));
    }

    [SystemFact(Needs.Fuse)]
    public async Task Cat_HelloAndSymlink_PrintContentAndTarget()
    {
        await using var mount = MountedFileSystem.Mount(new TestFileSystem());

        Assert.Equal("Hello, world!\n", (await Run.Program("cat", mount["hello.txt"])).Output);
        Assert.Equal("Hello, world!\n", (await Run.Program("cat", mount["link"])).Output);
        Assert.Equal("hello.txt\n", (await Run.Program("readlink", mount["link"])).Output);
    }

    [SystemFact(Needs.Fuse)]
    public async Task Read_LargeFile_HashMatchesAndReadsAreOneMebibyte()
    {
        var fs = new TestFileSystem();
        await using var mount = MountedFileSystem.Mount(fs, new FuseMountOptions { ReadAheadKb = 1024 });

        var (exit, output, errors) = await Run.Program("sha256sum", mount["big.bin"]);

        Assert.True(exit == 0, errors);
        Assert.Equal(ExpectedBigHash(), output.Split(' ')[0]);
        Assert.Equal(1 << 20, fs.MaxReadSize); // max_pages 256 and a 1 MiB readahead: 1 MiB READs
        Assert.Equal("1024", File.ReadAllText($"/sys/class/bdi/{mount.Session.DeviceId}/read_ahead_kb").Trim());
        Assert.Equal(38u, mount.Session.Connection!.Minor);
    }

    [SystemFact(Needs.Fuse)]
    public async Task Read_AtOffsets_ReturnsExactBytesAndShortReadAtEnd()
    {
        await using var mount = MountedFileSystem.Mount(new TestFileSystem());
        using var handle = File.OpenHandle(mount["big.bin"]);

        foreach (var (offset, length) in new[] { (0L, 1), (4095L, 2), (1_000_003L, 70_001), (TestFileSystem.BigSize - 10, 10), (33L << 20, 1 << 20) })
        {
            var buffer = new byte[length];
            Assert.Equal(length, RandomAccess.Read(handle, buffer, offset));
            for (var i = 0; i < length; i++)
            {
                if (buffer[i] != TestFileSystem.Content(offset + i))
                {
                    Assert.Fail($"byte {offset + i} differs");
                }
            }
        }

        Assert.Equal(5, RandomAccess.Read(handle, new byte[100], TestFileSystem.BigSize - 5));
        Assert.Equal(0, RandomAccess.Read(handle, new byte[100], TestFileSystem.BigSize));
    }

    [SystemFact(Needs.Fuse)]
    public async Task ConcurrentReads_EachDelayedAsynchronously_OverlapWithFewReaderThreads()
    {
        const int Readers = 32;
        var fs = new TestFileSystem { SlowReadDelay = TimeSpan.FromMilliseconds(200) };
        await using var mount = MountedFileSystem.Mount(fs, new FuseMountOptions { ReaderThreads = 2 });

        // Dedicated threads: blocking reads on the thread pool would starve the pool the replies complete on.
        var counts = new int[Readers];
        var clock = Stopwatch.StartNew();
        var threads = Enumerable.Range(0, Readers).Select(i => new Thread(() =>
        {
            using var handle = File.OpenHandle(mount["slow.bin"]);
            counts[i] = RandomAccess.Read(handle, new byte[4096], i * 4096L);
        })).ToList();
        threads.ForEach(t => t.Start());
        Assert.All(threads, t => Assert.True(t.Join(TimeSpan.FromSeconds(60))));
        clock.Stop();

        output.WriteLine($"32 reads of 200 ms each: {clock.Elapsed.TotalMilliseconds:0} ms, {fs.PeakReadsInFlight} in flight at once, 2 reader threads");
        Assert.All(counts, count => Assert.Equal(4096, count));
        // Serially this takes 32 × 200 ms = 6.4 s; two reader threads blocking in the filesystem would take 3.2 s.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"32 delayed reads took {clock.Elapsed.TotalMilliseconds:0} ms");
        Assert.True(fs.PeakReadsInFlight >= 8, $"only {fs.PeakReadsInFlight} reads were in flight at once");
    }

    [SystemFact(Needs.Fuse)]
    public async Task Writes_ReadOnlyMount_RefusedWithEROFS()
    {
        await using var mount = MountedFileSystem.Mount(new TestFileSystem());

        Assert.Contains("Read-only file system", (await Run.Program("touch", mount["new.txt"])).Errors, StringComparison.Ordinal);
        Assert.Contains("Read-only file system", (await Run.Program("mkdir", mount["newdir"])).Errors, StringComparison.Ordinal);
        var error = Assert.ThrowsAny<IOException>(() => File.OpenWrite(mount["hello.txt"]).Dispose());
        Assert.Contains("Read-only file system", error.Message, StringComparison.Ordinal);
    }

    [SystemFact(Needs.Fuse)]
    public async Task Mutations_ReadWriteMount_AnsweredEROFSByTheBinding()
    {
        var fs = new TestFileSystem();
        await using var mount = MountedFileSystem.Mount(fs, new FuseMountOptions { ReadOnly = false, Debug = true });

        var attempts = new[]
        {
            ("touch", new[] { mount["new.txt"] }, "<- CREATE"),
            ("mkdir", new[] { mount["newdir"] }, "<- MKDIR"),
            ("rm", new[] { mount["hello.txt"] }, "<- UNLINK"),
            ("mv", new[] { mount["hello.txt"], mount["renamed.txt"] }, "<- RENAME"),
            ("ln", new[] { "-s", "x", mount["sym"] }, "<- SYMLINK"),
            ("touch", new[] { mount["hello.txt"] }, "<- OPEN"),
            ("setfattr", new[] { "-n", "user.x", "-v", "1", mount["hello.txt"] }, "<- SETXATTR"),
        };
        foreach (var (program, args, trace) in attempts)
        {
            var (exit, _, errors) = await Run.Program(program, args);
            Assert.True(exit != 0, $"{program} succeeded");
            Assert.Contains("Read-only file system", errors, StringComparison.Ordinal);
            Assert.True(mount.TraceContains(trace), $"{program}: the kernel sent no {trace}");
        }

        Assert.Equal("Hello, world!\n", await File.ReadAllTextAsync(mount["hello.txt"]));
        Assert.False(fs.Calls.ContainsKey(FuseOpcode.Write));
    }

    [SystemFact(Needs.Fuse)]
    public async Task XAttrs_GetfattrAndSizeProtocol_BehaveLikeLocalFiles()
    {
        await using var mount = MountedFileSystem.Mount(new TestFileSystem());
        var file = mount["hello.txt"];

        var (exit, dump, errors) = await Run.Program("getfattr", "-d", "--absolute-names", file);
        Assert.True(exit == 0, errors);
        Assert.Contains("user.greeting=\"hello there\"", dump, StringComparison.Ordinal);
        Assert.Contains("No such attribute", (await Run.Program("getfattr", "-n", "user.missing", file)).Errors, StringComparison.Ordinal);

        Assert.Equal(11, XAttrInterop.Get(file, "user.greeting", null)); // size 0: length probe
        Assert.Equal(-(int)Errno.ERANGE, XAttrInterop.Get(file, "user.greeting", new byte[10]));
        var value = new byte[11];
        Assert.Equal(11, XAttrInterop.Get(file, "user.greeting", value));
        Assert.Equal("hello there", Encoding.UTF8.GetString(value));
        Assert.Equal(0, XAttrInterop.Get(file, "user.empty", new byte[4]));
        Assert.Equal(-(int)Errno.ENODATA, XAttrInterop.Get(file, "user.missing", new byte[4]));
        Assert.Equal(-(int)Errno.ENODATA, XAttrInterop.Get(file, "user.thrown", new byte[4]));

        Assert.Equal(25, XAttrInterop.List(file, null));
        Assert.Equal(-(int)Errno.ERANGE, XAttrInterop.List(file, new byte[24]));
        var names = new byte[25];
        Assert.Equal(25, XAttrInterop.List(file, names));
        Assert.Equal("user.greeting\0user.empty\0", Encoding.UTF8.GetString(names));
        Assert.Equal(0, XAttrInterop.List(mount["big.bin"], new byte[10]));
    }

    [SystemFact(Needs.Fuse)]
    public async Task StatFs_Df_ReportsTheFilesystemsNumbers()
    {
        await using var mount = MountedFileSystem.Mount(new TestFileSystem());
        var (exit, output, errors) = await Run.Program("stat", "-f", "-c", "%b %S %c %l %T", mount.MountPoint);
        Assert.True(exit == 0, errors);
        Assert.Equal("1000 4096 42 255 fuseblk", output.Trim());
    }

    [SystemFact(Needs.Fuse)]
    public async Task NegativeLookup_WithTimeout_CachedByTheKernel_WithoutTimeout_AskedAgain()
    {
        var fs = new TestFileSystem();
        await using var mount = MountedFileSystem.Mount(fs);

        for (var i = 0; i < 3; i++)
        {
            Assert.False(File.Exists(mount["missing.txt"]));
            Assert.False(File.Exists(mount["nocache-missing.txt"]));
        }

        Assert.Equal(1, fs.LookupCount("missing.txt"));
        Assert.Equal(3, fs.LookupCount("nocache-missing.txt"));
    }

    [SystemFact(Needs.Fuse)]
    public async Task Read_FilesystemThrows_CallerGetsEIOAndTheMountKeepsWorking()
    {
        await using var mount = MountedFileSystem.Mount(new TestFileSystem());

        var (exit, _, errors) = await Run.Program("cat", mount["throws.bin"]);

        Assert.NotEqual(0, exit);
        Assert.Contains("Input/output error", errors, StringComparison.Ordinal);
        Assert.Contains(mount.Errors, e => e.Contains("answered EIO", StringComparison.Ordinal) && e.Contains("this read always fails", StringComparison.Ordinal));
        Assert.Equal("Hello, world!\n", await File.ReadAllTextAsync(mount["hello.txt"]));
    }

    [SystemFact(Needs.Fuse)]
    public async Task Interrupt_ReadingProcessKilled_OperationTokenFiresAndProcessExits()
    {
        var fs = new TestFileSystem();
        await using var mount = MountedFileSystem.Mount(fs);
        using var reader = Process.Start(new ProcessStartInfo("cat", [mount["blocked.bin"]]) { RedirectStandardOutput = true })!;

        await fs.BlockedReadStarted.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.False(reader.HasExited);
        reader.Kill();

        await fs.BlockedReadCancelled.Task.WaitAsync(TimeSpan.FromSeconds(20)); // the kernel sent INTERRUPT
        await reader.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.True(SpinWait.SpinUntil(() => mount.Session.RequestsInFlight == 0, TimeSpan.FromSeconds(10)));
    }

    [SystemFact(Needs.Fuse)]
    public async Task Unmount_WhileAReadIsBlocked_ReturnsAndEndsTheSession()
    {
        var fs = new TestFileSystem();
        var mount = MountedFileSystem.Mount(fs);
        await using (mount)
        {
            using var reader = Process.Start(new ProcessStartInfo("cat", [mount["blocked.bin"]]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            await fs.BlockedReadStarted.Task.WaitAsync(TimeSpan.FromSeconds(20));

            await Task.Run(mount.Session.Unmount).WaitAsync(TimeSpan.FromSeconds(30));

            await mount.Session.Completion.WaitAsync(TimeSpan.FromSeconds(20));
            await fs.BlockedReadCancelled.Task.WaitAsync(TimeSpan.FromSeconds(5));
            await reader.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
            Assert.NotEqual(0, reader.ExitCode);
            Assert.Null(MountTable.FindFuse(mount.MountPoint));
            Assert.Equal(1, fs.DestroyCount);
            mount.Session.Unmount(); // idempotent on a dead session
        }
    }

    [SystemFact(Needs.Fuse)]
    public async Task Unmount_OperationIgnoresCancellation_ConnectionAbortedAfterTimeout()
    {
        var fs = new TestFileSystem { IgnoreCancellation = true };
        await using var mount = MountedFileSystem.Mount(fs, new FuseMountOptions { UnmountTimeout = TimeSpan.FromSeconds(1) });
        using var reader = Process.Start(new ProcessStartInfo("cat", [mount["blocked.bin"]]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        await fs.BlockedReadStarted.Task.WaitAsync(TimeSpan.FromSeconds(20));

        await Task.Run(mount.Session.Unmount).WaitAsync(TimeSpan.FromSeconds(30));

        await mount.Session.Completion.WaitAsync(TimeSpan.FromSeconds(20));
        await reader.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Contains("Transport endpoint is not connected", await reader.StandardError.ReadToEndAsync(), StringComparison.Ordinal);
    }

    [SystemFact(Needs.Fuse)]
    public async Task Unmount_FromOutside_EndsTheSessionAndUnmountStillSucceeds()
    {
        var fs = new TestFileSystem();
        await using var mount = MountedFileSystem.Mount(fs);

        var (exit, _, errors) = await Run.Program("umount", mount.MountPoint);

        Assert.True(exit == 0, errors);
        await mount.Session.Completion.WaitAsync(TimeSpan.FromSeconds(20));
        mount.Session.Unmount();
        mount.Session.Unmount();
        Assert.Equal(1, fs.DestroyCount);
    }

    [SystemFact(Needs.Fuse)]
    public async Task NotifyInvalidateInode_AfterContentChange_NewContentVisible()
    {
        var fs = new TestFileSystem();
        await using var mount = MountedFileSystem.Mount(fs);

        Assert.Equal("version-1\n", await File.ReadAllTextAsync(mount["cached.txt"]));
        fs.CachedContent = "version-2\n"u8.ToArray();
        Assert.Equal("version-1\n", await File.ReadAllTextAsync(mount["cached.txt"])); // KeepCache: from the page cache

        Assert.True(mount.Session.NotifyInvalidateInode(new NodeId(TestFileSystem.Cached), 0, 0));

        Assert.Equal("version-2\n", await File.ReadAllTextAsync(mount["cached.txt"]));
        Assert.False(mount.Session.NotifyInvalidateInode(new NodeId(123456), 0, 0)); // not known to the kernel
    }

    [SystemFact(Needs.Fuse)]
    public async Task NotifyInvalidateEntry_AfterNameChange_NextAccessLooksUpAgain()
    {
        var fs = new TestFileSystem();
        await using var mount = MountedFileSystem.Mount(fs);

        Assert.Equal(1, new FileInfo(mount["swap"]).Length);
        fs.SwapToSecond = true;
        Assert.Equal(1, new FileInfo(mount["swap"]).Length); // entry cached for 60 s

        Assert.True(mount.Session.NotifyInvalidateEntry(NodeId.Root, "swap"));

        Assert.Equal(2, new FileInfo(mount["swap"]).Length);
        Assert.Equal(2, fs.LookupCount("swap"));
    }

    [SystemFact(Needs.Fuse)]
    public async Task Mount_ThroughFusermount_ReceivesTheDescriptorAndServes()
    {
        await using var mount = MountedFileSystem.Mount(new TestFileSystem(), new FuseMountOptions { Method = FuseMountMethod.Fusermount });

        Assert.Equal(FuseMountMethod.Fusermount, mount.Session.MountMethod);
        Assert.Equal("Hello, world!\n", await File.ReadAllTextAsync(mount["hello.txt"]));
        var entry = MountTable.FindFuse(mount.MountPoint);
        Assert.Equal("fuse.hddfstest", entry?.FileSystemType);
        Assert.Equal("hddfs-test", entry?.Source);
    }

    [SystemFact(Needs.Fuse)]
    public async Task Mount_NonEmptyDirectory_HidesItsContentUntilUnmounted()
    {
        using var directory = new TempDirectory("hddfs-nonempty");
        directory.WriteFile("underneath.txt", "below");
        var session = FuseMount.Mount(directory.Path, new FuseMountOptions { Log = (_, _, _) => { } }, new TestFileSystem());
        await using (session)
        {
            Assert.False(File.Exists(directory.Combine("underneath.txt")));
            Assert.True(File.Exists(directory.Combine("hello.txt")));
        }

        Assert.True(File.Exists(directory.Combine("underneath.txt")));
    }

    [SystemFact(Needs.Fuse)]
    public async Task DebugTrace_Enabled_TracesRequestsAndRepliesFromTheOpcodeTable()
    {
        await using var mount = MountedFileSystem.Mount(new TestFileSystem(), new FuseMountOptions { Debug = true });

        _ = File.Exists(mount["hello.txt"]);

        Assert.True(mount.TraceContains("<- LOOKUP"));
        Assert.True(mount.TraceContains("name=\"hello.txt\""));
        Assert.True(SpinWait.SpinUntil(() => mount.TraceContains("-> LOOKUP"), TimeSpan.FromSeconds(10))); // traced just after the reply
        Assert.True(mount.TraceContains("<- INIT"));
    }

    private static string ExpectedBigHash()
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var chunk = new byte[1 << 20];
        for (long offset = 0; offset < TestFileSystem.BigSize; offset += chunk.Length)
        {
            for (var i = 0; i < chunk.Length; i++)
            {
                chunk[i] = TestFileSystem.Content(offset + i);
            }

            sha.AppendData(chunk);
        }

        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}

using System.Runtime.InteropServices;
using System.Text;
using static HddFs.Fuse.Interop;

namespace HddFs.Fuse.Tests;

/// <summary>The kernel protocol byte for byte, with the test playing the kernel over a socketpair.</summary>
public sealed class ProtocolTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(60);

    private static FuseAttributes FileAttributes(ulong ino, ulong size) => new()
    {
        Ino = ino,
        Type = FuseFileType.RegularFile,
        Permissions = UnixFileMode.UserRead | UnixFileMode.GroupRead,
        Size = size,
        ModificationTime = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000).AddTicks(1234567),
    };

    [Fact]
    public void Init_NewerKernel_NegotiatesOurMinorFlagsAndLimits()
    {
        var fs = new ScriptedFileSystem();
        using var harness = new ProtocolHarness(fs);
        var reply = harness.Initialize(minor: 45);

        Assert.Equal(7u, reply.major);
        Assert.Equal(38u, reply.minor);
        var flags = (ulong)reply.flags;
        foreach (var wanted in new[] { FuseKernel.FUSE_ASYNC_READ, FuseKernel.FUSE_DO_READDIRPLUS, FuseKernel.FUSE_MAX_PAGES, FuseKernel.FUSE_PARALLEL_DIROPS, FuseKernel.FUSE_CACHE_SYMLINKS })
        {
            Assert.True((flags & wanted) != 0, $"flag 0x{wanted:x} not accepted in 0x{flags:x}");
        }

        foreach (var unwanted in new[] { FuseKernel.FUSE_AUTO_INVAL_DATA, FuseKernel.FUSE_READDIRPLUS_AUTO, FuseKernel.FUSE_WRITEBACK_CACHE, FuseKernel.FUSE_POSIX_LOCKS, FuseKernel.FUSE_EXPORT_SUPPORT, FuseKernel.FUSE_INIT_EXT })
        {
            Assert.True((flags & unwanted) == 0, $"flag 0x{unwanted:x} should not be set in 0x{flags:x}");
        }

        Assert.Equal(0u, reply.flags2);
        Assert.Equal(256, reply.max_pages);
        Assert.Equal(1u << 20, reply.max_write);
        Assert.Equal(64, reply.max_background);
        Assert.Equal(48, reply.congestion_threshold);
        Assert.Equal(1u, reply.time_gran);
        Assert.Equal(128u * 1024, reply.max_readahead);

        Assert.NotNull(fs.Connection);
        Assert.Equal(45u, fs.Connection!.KernelMinor);
        Assert.Equal(38u, fs.Connection.Minor);
        Assert.Equal(1 << 20, fs.Connection.MaxRead);
        Assert.True(fs.Connection.ReadDirPlus && fs.Connection.AsyncRead && fs.Connection.ParallelDirOps);
        Assert.Same(fs.Connection, harness.Session.Connection);
    }

    [Fact]
    public void Init_OptionsChangeTheAnswer_ReadaheadBackgroundAndInvalidation()
    {
        var fs = new ScriptedFileSystem();
        using var harness = new ProtocolHarness(fs, new FuseMountOptions { ReaderThreads = 1, ReadAheadKb = 64, MaxBackground = 100, CongestionThreshold = 10, AutoInvalidateData = true, ReadDirPlus = false, MaxRead = 128 * 1024 });
        var reply = harness.Initialize(minor: 38);

        Assert.Equal(64u * 1024, reply.max_readahead);
        Assert.Equal(100, reply.max_background);
        Assert.Equal(10, reply.congestion_threshold);
        Assert.Equal(32, reply.max_pages);
        Assert.True((reply.flags & FuseKernel.FUSE_AUTO_INVAL_DATA) != 0);
        Assert.True((reply.flags & FuseKernel.FUSE_DO_READDIRPLUS) == 0);
    }

    [Fact]
    public void Init_KernelWithoutMaxPages_CapsReadsAt128KiB()
    {
        var fs = new ScriptedFileSystem();
        using var harness = new ProtocolHarness(fs);
        var reply = harness.Initialize(minor: 38, flags: (uint)(FuseKernel.FUSE_ASYNC_READ | FuseKernel.FUSE_DO_READDIRPLUS));

        Assert.Equal((uint)(FuseKernel.FUSE_ASYNC_READ | FuseKernel.FUSE_DO_READDIRPLUS), reply.flags);
        Assert.Equal(0, reply.max_pages);
        Assert.Equal(128 * 1024, fs.Connection!.MaxRead);
    }

    [Fact]
    public void Init_TooOldKernel_RefusedWithEPROTO()
    {
        using var harness = new ProtocolHarness(new ScriptedFileSystem());
        var reply = harness.Call(FuseOpcode.Init, 1, 0, new fuse_init_in { major = 7, minor = 22 });
        Assert.Equal(-(int)Errno.EPROTO, reply.Error);
        Assert.True(SpinWait.SpinUntil(() => harness.Session.Initialized.IsFaulted, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void Request_BeforeInit_AnsweredEIO()
    {
        using var harness = new ProtocolHarness(new ScriptedFileSystem());
        var reply = harness.Call(FuseOpcode.GetAttr, 5, 1, new fuse_getattr_in());
        Assert.Equal(-(int)Errno.EIO, reply.Error);
    }

    [Theory]
    [InlineData(FuseOpcode.Write)]
    [InlineData(FuseOpcode.SetAttr)]
    [InlineData(FuseOpcode.Create)]
    [InlineData(FuseOpcode.MkNod)]
    [InlineData(FuseOpcode.MkDir)]
    [InlineData(FuseOpcode.Unlink)]
    [InlineData(FuseOpcode.RmDir)]
    [InlineData(FuseOpcode.Rename)]
    [InlineData(FuseOpcode.Rename2)]
    [InlineData(FuseOpcode.Link)]
    [InlineData(FuseOpcode.Symlink)]
    [InlineData(FuseOpcode.SetXAttr)]
    [InlineData(FuseOpcode.RemoveXAttr)]
    [InlineData(FuseOpcode.FAllocate)]
    [InlineData(FuseOpcode.CopyFileRange)]
    [InlineData(FuseOpcode.TmpFile)]
    public void Mutation_AnyOpcode_AnsweredEROFS(FuseOpcode opcode)
    {
        using var harness = new ProtocolHarness(new ScriptedFileSystem());
        harness.Initialize();
        Assert.Equal(-(int)Errno.EROFS, harness.Call(opcode, 7, 1, new byte[64]).Error);
    }

    [Theory]
    [InlineData((uint)FuseOpcode.Poll)]
    [InlineData((uint)FuseOpcode.FSync)]
    [InlineData((uint)FuseOpcode.GetLk)]
    [InlineData((uint)FuseOpcode.IoCtl)]
    [InlineData((uint)FuseOpcode.LSeek)]
    [InlineData(4096u)] // CUSE_INIT
    [InlineData(999u)]
    public void UnsupportedOrUnknownOpcode_AnsweredENOSYS(uint opcode)
    {
        using var harness = new ProtocolHarness(new ScriptedFileSystem());
        harness.Initialize();
        Assert.Equal(-(int)Errno.ENOSYS, harness.Call((FuseOpcode)opcode, 8, 1, new byte[40]).Error);
    }

    [Theory]
    [InlineData(Libc.O_WRONLY)]
    [InlineData(Libc.O_RDWR)]
    [InlineData(Libc.O_RDONLY | Libc.O_TRUNC)]
    public void Open_ForWriting_AnsweredEROFSWithoutAskingTheFilesystem(int flags)
    {
        using var harness = new ProtocolHarness(new ScriptedFileSystem());
        harness.Initialize();
        Assert.Equal(-(int)Errno.EROFS, harness.Call(FuseOpcode.Open, 9, 2, new fuse_open_in { flags = (uint)flags }).Error);
        Assert.Equal(-(int)Errno.EROFS, harness.Call(FuseOpcode.Access, 10, 2, new fuse_access_in { mask = 2 }).Error);
        Assert.Equal(0, harness.Call(FuseOpcode.Access, 11, 2, new fuse_access_in { mask = 4 }).Error);
    }

    [Fact]
    public void Lookup_PositiveAndNegative_EncodedAsEntryOut()
    {
        var attributes = FileAttributes(77, 12345);
        var fs = new ScriptedFileSystem
        {
            Lookup = (request, parent, name) => ValueTask.FromResult(name == "file"
                ? new FuseEntry(new NodeId(77), attributes, TimeSpan.FromSeconds(1.5), TimeSpan.FromMilliseconds(250), generation: 3)
                : FuseEntry.Negative(TimeSpan.FromSeconds(30))),
        };
        using var harness = new ProtocolHarness(fs);
        harness.Initialize();

        var positive = harness.Call(FuseOpcode.Lookup, 20, 1, "file\0"u8).Read<fuse_entry_out>();
        Assert.Equal(77ul, positive.nodeid);
        Assert.Equal(3ul, positive.generation);
        Assert.Equal((1ul, 500_000_000u), (positive.entry_valid, positive.entry_valid_nsec));
        Assert.Equal((0ul, 250_000_000u), (positive.attr_valid, positive.attr_valid_nsec));
        Assert.Equal(12345ul, positive.attr.size);
        Assert.Equal(25ul, positive.attr.blocks);
        Assert.Equal(0x8000u | 0x120u, positive.attr.mode); // S_IFREG | 0440
        Assert.Equal(1u, positive.attr.nlink);
        Assert.Equal((1_700_000_000ul, 123_456_700u), (positive.attr.mtime, positive.attr.mtimensec));

        Assert.Equal((uint.MaxValue, 0u), FuseAttributes.ToKernelTimeout(TimeSpan.MaxValue));
        Assert.Equal((0ul, 0u), FuseAttributes.ToKernelTimeout(TimeSpan.FromSeconds(-1)));

        var negative = harness.Call(FuseOpcode.Lookup, 21, 1, "missing\0"u8).Read<fuse_entry_out>();
        Assert.Equal(0ul, negative.nodeid);
        Assert.Equal(30ul, negative.entry_valid);
        Assert.Equal(0ul, negative.attr_valid);
    }

    [Fact]
    public void Operation_ThrowingFuseException_AnsweredWithItsErrno()
    {
        var fs = new ScriptedFileSystem { Lookup = (_, _, _) => throw new FuseException(Errno.EHOSTUNREACH) };
        using var harness = new ProtocolHarness(fs);
        harness.Initialize();
        Assert.Equal(-(int)Errno.EHOSTUNREACH, harness.Call(FuseOpcode.Lookup, 22, 1, "x\0"u8).Error);
    }

    [Fact]
    public async Task Operation_ThrowingAnythingElse_AnsweredEIOAndLogged()
    {
        var fs = new ScriptedFileSystem
        {
            Lookup = (_, _, _) => throw new InvalidOperationException("sync boom"),
            Read = async (_, _, _, _) =>
            {
                await Task.Yield();
                throw new InvalidOperationException("async boom");
            },
        };
        using var harness = new ProtocolHarness(fs);
        harness.Initialize();

        Assert.Equal(-(int)Errno.EIO, harness.Call(FuseOpcode.Lookup, 23, 1, "x\0"u8).Error);
        Assert.Equal(-(int)Errno.EIO, harness.Call(FuseOpcode.Read, 24, 2, new fuse_read_in { size = 4096 }).Error);
        await Task.Yield();
        Assert.Equal(2, harness.LogMessages.Count(m => m.Level == FuseLogLevel.Error && m.Message.Contains("answered EIO", StringComparison.Ordinal)));
        Assert.True(SpinWait.SpinUntil(() => harness.Session.RequestsInFlight == 0, TimeSpan.FromSeconds(10))); // removed just after the reply is written
    }

    [Fact]
    public void GetAttr_InvalidAttributes_AnsweredEIOInsteadOfPoisoningTheInode()
    {
        var fs = new ScriptedFileSystem { GetAttr = (_, _) => ValueTask.FromResult(new FuseAttributesResult(new FuseAttributes { Ino = 5 }, Long)) };
        using var harness = new ProtocolHarness(fs);
        harness.Initialize();
        Assert.Equal(-(int)Errno.EIO, harness.Call(FuseOpcode.GetAttr, 25, 5, new fuse_getattr_in()).Error);
    }

    [Fact]
    public void Read_CompletedFromAnotherThread_RepliesWithTheBytes()
    {
        var fs = new ScriptedFileSystem
        {
            Read = async (request, node, offset, destination) =>
            {
                await Task.Delay(50, request.CancellationToken);
                var count = (int)Math.Min(destination.Length, 10_000 - offset);
                for (var i = 0; i < count; i++)
                {
                    destination.Span[i] = (byte)(offset + i);
                }

                return count;
            },
        };
        using var harness = new ProtocolHarness(fs);
        harness.Initialize();

        var full = harness.Call(FuseOpcode.Read, 30, 2, new fuse_read_in { offset = 0, size = 4096 });
        Assert.Equal(0, full.Error);
        Assert.Equal(Enumerable.Range(0, 4096).Select(i => (byte)i), full.Payload);

        var tail = harness.Call(FuseOpcode.Read, 31, 2, new fuse_read_in { offset = 9000, size = 4096 });
        Assert.Equal(1000, tail.Payload.Length);
        Assert.Equal((byte)(9000 % 256), tail.Payload[0]);
    }

    [Fact]
    public void Read_ReturningMoreThanAsked_AnsweredEIO()
    {
        var fs = new ScriptedFileSystem { Read = (_, _, _, destination) => ValueTask.FromResult(destination.Length + 1) };
        using var harness = new ProtocolHarness(fs);
        harness.Initialize();
        Assert.Equal(-(int)Errno.EIO, harness.Call(FuseOpcode.Read, 32, 2, new fuse_read_in { size = 100 }).Error);
    }

    [Fact]
    public async Task Interrupt_PendingRead_CancelsTheTokenAndAnswersEINTR()
    {
        var started = new TaskCompletionSource();
        var fs = new ScriptedFileSystem
        {
            Read = async (request, _, _, _) =>
            {
                started.SetResult();
                await Task.Delay(Timeout.Infinite, request.CancellationToken);
                return 0;
            },
        };
        using var harness = new ProtocolHarness(fs);
        harness.Initialize();

        harness.Send(FuseOpcode.Read, 40, 2, new fuse_read_in { size = 4096 });
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(harness.HasMessage(TimeSpan.FromMilliseconds(100)));
        Assert.Equal(1, harness.Session.RequestsInFlight);

        harness.Send(FuseOpcode.Interrupt, 41, 0, new fuse_interrupt_in { unique = 40 });
        var reply = harness.Receive();
        Assert.Equal(40ul, reply.Unique);
        Assert.Equal(-(int)Errno.EINTR, reply.Error);
        Assert.True(SpinWait.SpinUntil(() => harness.Session.RequestsInFlight == 0, TimeSpan.FromSeconds(10))); // removed just after the reply is written
    }

    [Fact]
    public void Interrupt_UnknownRequest_AnsweredEAGAINSoTheKernelRetries()
    {
        using var harness = new ProtocolHarness(new ScriptedFileSystem());
        harness.Initialize();
        harness.Send(FuseOpcode.Interrupt, 51, 0, new fuse_interrupt_in { unique = 50 });
        var reply = harness.Receive();
        Assert.Equal(51ul, reply.Unique);
        Assert.Equal(-(int)Errno.EAGAIN, reply.Error);
        Assert.Empty(reply.Payload);
    }

    [Fact]
    public void GetXAttr_SizeProtocol_ProbeRangeValueAndMissing()
    {
        var fs = new ScriptedFileSystem { XAttrs = new() { ["user.a"] = "hello"u8.ToArray(), ["user.bb"] = [] } };
        using var harness = new ProtocolHarness(fs);
        harness.Initialize();

        var probe = harness.Call(FuseOpcode.GetXAttr, 60, 2, new fuse_getxattr_in { size = 0 }, "user.a\0"u8).Read<fuse_getxattr_out>();
        Assert.Equal(5u, probe.size);
        Assert.Equal(-(int)Errno.ERANGE, harness.Call(FuseOpcode.GetXAttr, 61, 2, new fuse_getxattr_in { size = 4 }, "user.a\0"u8).Error);
        var value = harness.Call(FuseOpcode.GetXAttr, 62, 2, new fuse_getxattr_in { size = 5 }, "user.a\0"u8);
        Assert.Equal("hello"u8.ToArray(), value.Payload);
        Assert.Equal(-(int)Errno.ENODATA, harness.Call(FuseOpcode.GetXAttr, 63, 2, new fuse_getxattr_in { size = 100 }, "user.zz\0"u8).Error);

        var listProbe = harness.Call(FuseOpcode.ListXAttr, 64, 2, new fuse_getxattr_in { size = 0 }).Read<fuse_getxattr_out>();
        Assert.Equal(15u, listProbe.size);
        Assert.Equal(-(int)Errno.ERANGE, harness.Call(FuseOpcode.ListXAttr, 65, 2, new fuse_getxattr_in { size = 14 }).Error);
        Assert.Equal("user.a\0user.bb\0"u8.ToArray(), harness.Call(FuseOpcode.ListXAttr, 66, 2, new fuse_getxattr_in { size = 15 }).Payload);
    }

    [Fact]
    public void GetXAttr_NotImplemented_AnsweredENOSYS()
    {
        using var harness = new ProtocolHarness(new ScriptedFileSystem());
        harness.Initialize();
        Assert.Equal(-(int)Errno.ENOSYS, harness.Call(FuseOpcode.GetXAttr, 67, 2, new fuse_getxattr_in { size = 0 }, "user.a\0"u8).Error);
    }

    [Fact]
    public void ReadDirPlus_Entries_EncodedWithAttributesOffsetsAndPadding()
    {
        var fs = new ScriptedFileSystem
        {
            ReadDir = (request, node, offset, buffer) =>
            {
                Assert.True(buffer.IsPlus);
                if (offset == 0)
                {
                    Assert.True(buffer.TryAdd(".", 1, 1, FuseFileType.Directory));
                    var entry = new FuseEntry(new NodeId(9), FileAttributes(90, 3), Long, Long);
                    Assert.True(buffer.TryAdd("abc", 2, in entry));
                    var big = new FuseEntry(new NodeId(10), FileAttributes(100, 4), Long, Long);
                    while (buffer.TryAdd("filler-name", 3, in big))
                    {
                    }
                }

                return ValueTask.CompletedTask;
            },
        };
        using var harness = new ProtocolHarness(fs);
        harness.Initialize();

        var reply = harness.Call(FuseOpcode.ReadDirPlus, 70, 1, new fuse_read_in { size = 1024 });
        Assert.Equal(0, reply.Error);
        Assert.True(reply.Payload.Length <= 1024);
        var records = ParseDirentPlus(reply.Payload);
        Assert.Equal(".", records[0].Name);
        Assert.Equal(0ul, records[0].Entry.nodeid); // no lookup reference for "."
        Assert.Equal(1ul, records[0].Dirent.off);
        Assert.Equal(4u, records[0].Dirent.type);
        Assert.Equal("abc", records[1].Name);
        Assert.Equal(9ul, records[1].Entry.nodeid);
        Assert.Equal(90ul, records[1].Dirent.ino);
        Assert.Equal(3ul, records[1].Entry.attr.size);
        Assert.Equal(8u, records[1].Dirent.type);
        Assert.Equal(1024 / 168, records.Count); // 152 + "filler-name" = 163 → 168 per record
        Assert.Equal(0, reply.Payload.Length % 8);

        Assert.Empty(harness.Call(FuseOpcode.ReadDirPlus, 71, 1, new fuse_read_in { offset = 3, size = 1024 }).Payload);
    }

    [Fact]
    public void ReadDir_Plain_EncodesDirentsWithoutAttributes()
    {
        var fs = new ScriptedFileSystem
        {
            ReadDir = (request, node, offset, buffer) =>
            {
                Assert.False(buffer.IsPlus);
                var entry = new FuseEntry(new NodeId(9), FileAttributes(90, 3), Long, Long);
                Assert.True(buffer.TryAdd("héllo", 1, in entry));
                Assert.Throws<ArgumentException>(() => buffer.TryAdd("a/b", 2, 1, FuseFileType.RegularFile));
                return ValueTask.CompletedTask;
            },
        };
        using var harness = new ProtocolHarness(fs, new FuseMountOptions { ReaderThreads = 1, ReadDirPlus = false });
        harness.Initialize();

        var payload = harness.Call(FuseOpcode.ReadDir, 72, 1, new fuse_read_in { size = 4096 }).Payload;
        Assert.Equal(32, payload.Length); // 24 + 6 bytes of UTF-8, padded to 8
        var dirent = MemoryMarshal.Read<fuse_dirent>(payload);
        Assert.Equal((90ul, 1ul, 6u, 8u), (dirent.ino, dirent.off, dirent.namelen, dirent.type));
        Assert.Equal("héllo", Encoding.UTF8.GetString(payload, 24, 6));
    }

    [Fact]
    public void Forget_SingleAndBatch_ReachTheFilesystemWithoutReplies()
    {
        var fs = new ScriptedFileSystem { GetAttr = (_, node) => ValueTask.FromResult(new FuseAttributesResult(FileAttributes(node.Value, 1), Long)) };
        using var harness = new ProtocolHarness(fs, new FuseMountOptions { ReaderThreads = 1 });
        harness.Initialize();

        harness.Send(FuseOpcode.Forget, 80, 5, new fuse_forget_in { nlookup = 3 });
        var batch = new byte[16 * 2];
        MemoryMarshal.Write(batch, new fuse_forget_one { nodeid = 6, nlookup = 1 });
        MemoryMarshal.Write(batch.AsSpan(16), new fuse_forget_one { nodeid = 7, nlookup = 2 });
        harness.Send(FuseOpcode.BatchForget, 81, 0, new fuse_batch_forget_in { count = 2 }, batch);

        // The next reply is for the next request: FORGETs are never answered.
        Assert.Equal(0, harness.Call(FuseOpcode.GetAttr, 82, 5, new fuse_getattr_in()).Error);
        Assert.Equal([(new NodeId(5), 3ul), (new NodeId(6), 1ul), (new NodeId(7), 2ul)], fs.Forgets.ToArray());
    }

    [Fact]
    public void ShortArguments_AnsweredEINVAL()
    {
        using var harness = new ProtocolHarness(new ScriptedFileSystem());
        harness.Initialize();
        Assert.Equal(-(int)Errno.EINVAL, harness.Call(FuseOpcode.Read, 90, 2, new byte[8]).Error);
    }

    [Fact]
    public void Notifications_WrittenWithUniqueZeroAndTheNotifyCode()
    {
        using var harness = new ProtocolHarness(new ScriptedFileSystem());
        Assert.Throws<InvalidOperationException>(() => harness.Session.NotifyInvalidateInode(new NodeId(5), 0, 0));
        harness.Initialize();

        Assert.True(harness.Session.NotifyInvalidateInode(new NodeId(5), 4096, -1));
        var inode = harness.Receive();
        Assert.Equal((0ul, 2), (inode.Unique, inode.Error));
        var inval = inode.Read<fuse_notify_inval_inode_out>();
        Assert.Equal((5ul, 4096L, -1L), (inval.ino, inval.off, inval.len));

        Assert.True(harness.Session.NotifyInvalidateEntry(new NodeId(1), "name"));
        var entry = harness.Receive();
        Assert.Equal((0ul, 3), (entry.Unique, entry.Error));
        Assert.Equal(16 + 5, entry.Payload.Length);
        var header = MemoryMarshal.Read<fuse_notify_inval_entry_out>(entry.Payload);
        Assert.Equal((1ul, 4u), (header.parent, header.namelen));
        Assert.Equal("name\0"u8.ToArray(), entry.Payload[16..]);
        Assert.Throws<ArgumentException>(() => harness.Session.NotifyInvalidateEntry(new NodeId(1), "a/b"));
    }

    [Fact]
    public async Task Session_SocketClosed_EndsCancelsInFlightAndCallsDestroyOnce()
    {
        var cancelled = new TaskCompletionSource();
        var fs = new ScriptedFileSystem
        {
            Read = async (request, _, _, _) =>
            {
                using var registration = request.CancellationToken.Register(() => cancelled.TrySetResult());
                await Task.Delay(Timeout.Infinite, request.CancellationToken);
                return 0;
            },
        };
        var harness = new ProtocolHarness(fs);
        harness.Initialize();
        harness.Send(FuseOpcode.Read, 100, 2, new fuse_read_in { size = 10 });
        Assert.True(SpinWait.SpinUntil(() => harness.Session.RequestsInFlight == 1, TimeSpan.FromSeconds(10)));

        harness.Dispose();
        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, fs.DestroyCount);
        Assert.True(harness.Session.Completion.IsCompletedSuccessfully);
    }

    [Fact]
    public void FuseRequest_AnsweredTwice_Throws()
    {
        var request = new FuseRequest(new fuse_in_header { unique = 7, opcode = (uint)FuseOpcode.GetAttr });
        request.MarkAnswered();
        var error = Assert.Throws<InvalidOperationException>(request.MarkAnswered);
        Assert.Contains("already answered", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FuseRequest_InterruptedBeforeTokenRead_TokenIsBornCancelled()
    {
        var request = new FuseRequest(new fuse_in_header { unique = 8 });
        request.Interrupt();
        Assert.True(request.IsInterrupted);
        Assert.True(SpinWait.SpinUntil(() => request.CancellationToken.IsCancellationRequested, TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void FuseException_ZeroErrno_Rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new FuseException((Errno)0));
        Assert.Equal(Errno.EIO, new FuseException("x").Errno);
    }

    private static List<(fuse_entry_out Entry, fuse_dirent Dirent, string Name)> ParseDirentPlus(byte[] payload)
    {
        var records = new List<(fuse_entry_out, fuse_dirent, string)>();
        var position = 0;
        while (position < payload.Length)
        {
            var plus = MemoryMarshal.Read<fuse_direntplus>(payload.AsSpan(position));
            var name = Encoding.UTF8.GetString(payload, position + 152, (int)plus.dirent.namelen);
            records.Add((plus.entry_out, plus.dirent, name));
            position += (152 + (int)plus.dirent.namelen + 7) & ~7;
        }

        return records;
    }
}

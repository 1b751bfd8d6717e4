using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using static HddFs.Fuse.Interop;

namespace HddFs.Fuse;

/// <summary>
/// The one opcode table (as in go-fuse): for every opcode its C name, the fixed input it needs, whether
/// it is answered, its handler, and how to print its arguments when tracing. Dispatch, validation,
/// the EROFS/ENOSYS defaults and the debug trace are all driven from here.
/// </summary>
public sealed partial class FuseSession
{
    private delegate void OpHandler(FuseSession session, FuseRequest? request, in fuse_in_header header, ReadOnlySpan<byte> input);

    private delegate string ArgFormatter(ReadOnlySpan<byte> input);

    private readonly record struct Operation(string Name, int InputSize, OpHandler Handler, bool Replies, ArgFormatter? Describe);

    private static readonly Operation UnknownOperation = new("UNKNOWN", 0, OnNotImplemented, Replies: true, Describe: null);

    private static readonly Operation[] Operations = BuildTable();

    private static Operation[] BuildTable()
    {
        var table = new Operation[(int)FuseOpcode.Statx + 1];
        for (var i = 0; i < table.Length; i++)
        {
            table[i] = UnknownOperation with { Name = "OPCODE_" + i.ToString(CultureInfo.InvariantCulture) };
        }

        void Set(FuseOpcode opcode, string name, int inputSize, OpHandler handler, ArgFormatter? describe = null, bool replies = true)
            => table[(int)opcode] = new Operation(name, inputSize, handler, replies, describe);

        unsafe
        {
            // A read-only filesystem's opcodes.
            Set(FuseOpcode.Init, "INIT", 8, OnInit, DescribeInit);
            Set(FuseOpcode.Destroy, "DESTROY", 0, OnDestroy);
            Set(FuseOpcode.Lookup, "LOOKUP", 1, OnLookup, DescribeName);
            Set(FuseOpcode.Forget, "FORGET", sizeof(fuse_forget_in), OnForget, DescribeForget, replies: false);
            Set(FuseOpcode.BatchForget, "BATCH_FORGET", sizeof(fuse_batch_forget_in), OnBatchForget, DescribeBatchForget, replies: false);
            Set(FuseOpcode.GetAttr, "GETATTR", sizeof(fuse_getattr_in), OnGetAttr, DescribeGetAttr);
            Set(FuseOpcode.ReadLink, "READLINK", 0, OnReadLink);
            Set(FuseOpcode.Open, "OPEN", sizeof(fuse_open_in), OnOpen, DescribeOpen);
            Set(FuseOpcode.Read, "READ", sizeof(fuse_read_in), OnRead, DescribeRead);
            Set(FuseOpcode.Flush, "FLUSH", sizeof(fuse_flush_in), OnFlush, DescribeFh);
            Set(FuseOpcode.Release, "RELEASE", sizeof(fuse_release_in), OnRelease, DescribeFh);
            Set(FuseOpcode.OpenDir, "OPENDIR", sizeof(fuse_open_in), OnOpenDir, DescribeOpen);
            Set(FuseOpcode.ReadDir, "READDIR", sizeof(fuse_read_in), OnReadDir, DescribeRead);
            Set(FuseOpcode.ReadDirPlus, "READDIRPLUS", sizeof(fuse_read_in), OnReadDir, DescribeRead);
            Set(FuseOpcode.ReleaseDir, "RELEASEDIR", sizeof(fuse_release_in), OnReleaseDir, DescribeFh);
            Set(FuseOpcode.StatFs, "STATFS", 0, OnStatFs);
            Set(FuseOpcode.Access, "ACCESS", sizeof(fuse_access_in), OnAccess, DescribeAccess);
            Set(FuseOpcode.GetXAttr, "GETXATTR", sizeof(fuse_getxattr_in) + 1, OnGetXAttr, DescribeGetXAttr);
            Set(FuseOpcode.ListXAttr, "LISTXATTR", sizeof(fuse_getxattr_in), OnListXAttr, DescribeGetXAttr);
            Set(FuseOpcode.Interrupt, "INTERRUPT", sizeof(fuse_interrupt_in), OnInterrupt, DescribeInterrupt, replies: false);
            Set(FuseOpcode.NotifyReply, "NOTIFY_REPLY", 0, OnIgnore, replies: false);

            // Answered ENOSYS on purpose: the kernel then falls back (local locks, no fsync, generic lseek, no poll).
            Set(FuseOpcode.FSync, "FSYNC", 0, OnNotImplemented);
            Set(FuseOpcode.FSyncDir, "FSYNCDIR", 0, OnNotImplemented);
            Set(FuseOpcode.GetLk, "GETLK", 0, OnNotImplemented);
            Set(FuseOpcode.SetLk, "SETLK", 0, OnNotImplemented);
            Set(FuseOpcode.SetLkW, "SETLKW", 0, OnNotImplemented);
            Set(FuseOpcode.BMap, "BMAP", 0, OnNotImplemented);
            Set(FuseOpcode.IoCtl, "IOCTL", 0, OnNotImplemented);
            Set(FuseOpcode.Poll, "POLL", 0, OnNotImplemented);
            Set(FuseOpcode.LSeek, "LSEEK", 0, OnNotImplemented);
            Set(FuseOpcode.SetupMapping, "SETUPMAPPING", 0, OnNotImplemented);
            Set(FuseOpcode.RemoveMapping, "REMOVEMAPPING", 0, OnNotImplemented);
            Set(FuseOpcode.SyncFs, "SYNCFS", 0, OnNotImplemented);
            Set(FuseOpcode.Statx, "STATX", 0, OnNotImplemented);

            // Everything that would change the filesystem.
            Set(FuseOpcode.SetAttr, "SETATTR", 0, OnReadOnly);
            Set(FuseOpcode.Symlink, "SYMLINK", 0, OnReadOnly);
            Set(FuseOpcode.MkNod, "MKNOD", 0, OnReadOnly);
            Set(FuseOpcode.MkDir, "MKDIR", 0, OnReadOnly);
            Set(FuseOpcode.Unlink, "UNLINK", 0, OnReadOnly);
            Set(FuseOpcode.RmDir, "RMDIR", 0, OnReadOnly);
            Set(FuseOpcode.Rename, "RENAME", 0, OnReadOnly);
            Set(FuseOpcode.Rename2, "RENAME2", 0, OnReadOnly);
            Set(FuseOpcode.Link, "LINK", 0, OnReadOnly);
            Set(FuseOpcode.Write, "WRITE", 0, OnReadOnly);
            Set(FuseOpcode.Create, "CREATE", 0, OnReadOnly);
            Set(FuseOpcode.SetXAttr, "SETXATTR", 0, OnReadOnly);
            Set(FuseOpcode.RemoveXAttr, "REMOVEXATTR", 0, OnReadOnly);
            Set(FuseOpcode.FAllocate, "FALLOCATE", 0, OnReadOnly);
            Set(FuseOpcode.CopyFileRange, "COPY_FILE_RANGE", 0, OnReadOnly);
            Set(FuseOpcode.TmpFile, "TMPFILE", 0, OnReadOnly);
        }

        return table;
    }

    /// <summary>The C name of an opcode (for tracing and logs).</summary>
    internal static string OpcodeName(FuseOpcode opcode)
        => (uint)opcode < (uint)Operations.Length ? Operations[(int)opcode].Name : UnknownOperation.Name;

    private void Dispatch(ReadOnlySpan<byte> message)
    {
        if (message.Length < InHeaderSize)
        {
            _log.Error($"short request of {message.Length} bytes ignored");
            return;
        }

        var header = MemoryMarshal.Read<fuse_in_header>(message);
        if (header.len < InHeaderSize || header.len > message.Length)
        {
            _log.Error($"request {header.unique} claims {header.len} bytes but {message.Length} were read; ignored");
            return;
        }

        // Extensions (security contexts) are never negotiated; skip them if present.
        var extLength = header.total_extlen * 8;
        var input = message[InHeaderSize..Math.Max(InHeaderSize, (int)header.len - extLength)];
        var op = header.opcode < (uint)Operations.Length ? Operations[header.opcode] : UnknownOperation;

        if (_log.IsTraceEnabled)
        {
            var args = op.Describe is null || input.Length < op.InputSize ? "" : " " + op.Describe(input);
            _log.Trace($"<- {op.Name} unique={header.unique} node={header.nodeid} uid={header.uid} pid={header.pid}{args}");
        }

        FuseRequest? request = null;
        if (op.Replies)
        {
            request = new FuseRequest(in header);
            _inFlight[header.unique] = request;
        }

        if (input.Length < op.InputSize)
        {
            _log.Error($"{op.Name} {header.unique}: {input.Length} bytes of arguments, {op.InputSize} needed");
            if (request is not null)
            {
                SendError(request, Errno.EINVAL);
            }

            return;
        }

        if (Volatile.Read(ref _connection) is null && header.opcode != (uint)FuseOpcode.Init && request is not null)
        {
            SendError(request, Errno.EIO);
            return;
        }

        try
        {
            op.Handler(this, request, in header, input);
        }
#pragma warning disable CA1031 // a bug in a handler must still answer the request, or the caller hangs
        catch (Exception e) when (request is not null && !request.IsAnswered)
        {
            _log.Error($"{op.Name} {header.unique}: handler failed; answered EIO", e);
            SendError(request, Errno.EIO);
        }
#pragma warning restore CA1031
    }

    private static string DecodeName(ReadOnlySpan<byte> input)
    {
        var end = input.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? input : input[..end]);
    }

    private static string DescribeName(ReadOnlySpan<byte> input) => $"name=\"{DecodeName(input)}\"";

    private static string DescribeInit(ReadOnlySpan<byte> input)
    {
        var major = MemoryMarshal.Read<uint>(input);
        var minor = MemoryMarshal.Read<uint>(input[4..]);
        return $"kernel=7.{minor} (major {major})";
    }

    private static string DescribeForget(ReadOnlySpan<byte> input) => $"nlookup={MemoryMarshal.Read<fuse_forget_in>(input).nlookup}";

    private static string DescribeBatchForget(ReadOnlySpan<byte> input) => $"count={MemoryMarshal.Read<fuse_batch_forget_in>(input).count}";

    private static string DescribeGetAttr(ReadOnlySpan<byte> input)
    {
        var a = MemoryMarshal.Read<fuse_getattr_in>(input);
        return (a.getattr_flags & FuseKernel.FUSE_GETATTR_FH) != 0 ? $"fh={a.fh}" : "";
    }

    private static string DescribeOpen(ReadOnlySpan<byte> input) => $"flags=0x{MemoryMarshal.Read<fuse_open_in>(input).flags:x}";

    private static string DescribeRead(ReadOnlySpan<byte> input)
    {
        var a = MemoryMarshal.Read<fuse_read_in>(input);
        return $"fh={a.fh} offset={a.offset} size={a.size}";
    }

    private static string DescribeFh(ReadOnlySpan<byte> input) => $"fh={MemoryMarshal.Read<ulong>(input)}";

    private static string DescribeAccess(ReadOnlySpan<byte> input) => $"mask={MemoryMarshal.Read<fuse_access_in>(input).mask}";

    private static unsafe string DescribeGetXAttr(ReadOnlySpan<byte> input)
    {
        var a = MemoryMarshal.Read<fuse_getxattr_in>(input);
        var rest = input[sizeof(fuse_getxattr_in)..];
        return rest.IsEmpty ? $"size={a.size}" : $"size={a.size} name=\"{DecodeName(rest)}\"";
    }

    private static string DescribeInterrupt(ReadOnlySpan<byte> input) => $"target={MemoryMarshal.Read<fuse_interrupt_in>(input).unique}";
}

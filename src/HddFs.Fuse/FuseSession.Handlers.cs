using System.Runtime.InteropServices;
using System.Text;
using static HddFs.Fuse.Interop;

namespace HddFs.Fuse;

/// <summary>
/// One handler per opcode. Each decodes its fixed arguments (copying everything it keeps: the reader's
/// buffer is reused as soon as the handler returns), calls the filesystem, and arranges for the reply
/// when the returned ValueTask completes — synchronously on the reader thread if it already has.
/// </summary>
public sealed partial class FuseSession
{
    private const int W_OK = 2;

    private static void OnNotImplemented(FuseSession s, FuseRequest? r, in fuse_in_header h, ReadOnlySpan<byte> input) => s.SendError(r!, Errno.ENOSYS);

    private static void OnReadOnly(FuseSession s, FuseRequest? r, in fuse_in_header h, ReadOnlySpan<byte> input) => s.SendError(r!, Errno.EROFS);

    private static void OnIgnore(FuseSession s, FuseRequest? r, in fuse_in_header h, ReadOnlySpan<byte> input)
    {
    }

    private static void OnDestroy(FuseSession s, FuseRequest? r, in fuse_in_header h, ReadOnlySpan<byte> input)
    {
        // Sent for fuseblk mounts on unmount; the connection is torn down after our answer and the readers see ENODEV.
        s.CallDestroy();
        s.SendOk(r!);
    }

    private static void OnLookup(FuseSession s, FuseRequest? r, in fuse_in_header h, ReadOnlySpan<byte> input)
        => s.Run(r!, DecodeName(input), static (s, r, name) => s._fs.LookupAsync(r, r.NodeId, name), static (s, r, entry) => s.SendEntry(r, entry));

    private static void OnForget(FuseSession s, FuseRequest? r, in fuse_in_header h, ReadOnlySpan<byte> input)
        => s.CallForget(new NodeId(h.nodeid), MemoryMarshal.Read<fuse_forget_in>(input).nlookup); // no reply

    private static void OnBatchForget(FuseSession s, FuseRequest? r, in fuse_in_header h, ReadOnlySpan<byte> input)
    {
        var batch = MemoryMarshal.Read<fuse_batch_forget_in>(input);
        var entries = MemoryMarshal.Cast<byte, fuse_forget_one>(input[Marshal.SizeOf<fuse_batch_forget_in>()..]);
        var count = (int)Math.Min(batch.count, (uint)entries.Length);
        for (var i = 0; i < count; i++)
        {
            s.CallForget(new NodeId(entries[i].nodeid), entries[i].nlookup);
        }
    }

    private void CallForget(NodeId node, ulong lookups)
    {
        try
        {
            _fs.Forget(node, lookups);
        }
#pragma warning disable CA1031 // filesystem code must not take a reader thread down
        catch (Exception e)
        {
            _log.Error($"Forget({node}, {lookups}) threw", e);
        }
#pragma warning restore CA1031
    }

    private static void OnGetAttr(FuseSession s, FuseRequest? r, in fuse_in_header h, ReadOnlySpan<byte> input)
    {
        var args = MemoryMarshal.Read<fuse_getattr_in>(input);
        FileHandle? handle = (args.getattr_flags & FuseKernel.FUSE_GETATTR_FH) != 0 ? new FileHandle(args.fh) : null;
        s.Run(r!, handle, static (s, r, handle) => s._fs.GetAttrAsync(r, r.NodeId, handle), static (s, r, result) => s.SendAttr(r, result));
    }

    private static void OnReadLink(FuseSession s, FuseRequest? r, in fuse_in_header h, ReadOnlySpan<byte> input)
        => s.Run(r!, 0, static (s, r, _) => s._fs.ReadLinkAsync(r, r.NodeId), static (s, r, target) =>
        {
            if (string.IsNullOrEmpty(target))
            {
                throw new InvalidOperationException("ReadLinkAsync returned an empty target.");
            }

            s.SendPayload(r, Encoding.UTF8.GetBytes(target));
        });

    private static void OnOpen(FuseSession s, FuseRequest? r, in fuse_in_header h, ReadOnlySpan<byte> input)
    {
        var flags = (int)MemoryMarshal.Read<fuse_open_in>(input).flags;
        if ((flags & Libc.O_ACCMODE) != Libc.O_RDONLY || (flags & Libc.O_TRUNC) != 0)
        {
            s.SendError(r!, Errno.EROFS);
            return;
        }

        s.Run(r!, flags, static (s, r, flags) => s._fs.OpenAsync(r, r.NodeId, flags), static (s, r, result) => s.SendOpen(r, result));
    }

    private static void OnOpenDir(FuseSession s, FuseRequest? r, in fuse_in_header h, ReadOnlySpan<byte> input)
    {
        var flags = (int)MemoryMarshal.Read<fuse_open_in>(input).flags;
        s.Run(r!, flags, static (s, r, flags) => s._fs.OpenDirAsync(r, r.NodeId, flags), static (s, r, result) => s.SendOpen(r, result));
    }

    private static void OnRead(FuseSession s, FuseRequest? r, in fuse_in_header h, ReadOnlySpan<byte> input)
    {
        var args = MemoryMarshal.Read<fuse_read_in>(input);
        if (args.size > s._readBuffers.BufferSize - OutHeaderSize || args.offset > long.MaxValue)
        {
            s.SendError(r!, Errno.EINVAL);
            return;
        }

        // Ownership: the buffer is ours until FinishRead returns it; the filesystem only borrows
        // destination until its ValueTask completes.
        var buffer = s._readBuffers.Rent();
        var destination = buffer.AsMemory(OutHeaderSize, (int)args.size);
        ValueTask<int> pending;
        try
        {
            pending = s._fs.ReadAsync(r!, r!.NodeId, new FileHandle(args.fh), (long)args.offset, destination);
        }
#pragma warning disable CA1031 // answered with an errno
        catch (Exception e)
        {
            s._readBuffers.Return(buffer);
            s.SendException(r!, e);
            return;
        }
#pragma warning restore CA1031

        if (pending.IsCompleted)
        {
            s.FinishRead(r!, pending, buffer, (int)args.size);
        }
        else
        {
            _ = s.FinishReadAsync(r!, pending, buffer, (int)args.size);
        }
    }

    private async Task FinishReadAsync(FuseRequest r, ValueTask<int> pending, byte[] buffer, int size)
    {
        try
        {
            await pending.ConfigureAwait(false);
        }
#pragma warning disable CA1031 // observed (and answered) by FinishRead
        catch (Exception)
        {
        }
#pragma warning restore CA1031

        FinishRead(r, pending, buffer, size);
    }

    /// <summary>Answers a completed READ and returns its buffer, whatever happens.</summary>
    private void FinishRead(FuseRequest r, ValueTask<int> completed, byte[] buffer, int size)
    {
        try
        {
            int count;
            try
            {
                count = completed.GetAwaiter().GetResult();
                if ((uint)count > (uint)size)
                {
                    throw new InvalidOperationException($"ReadAsync returned {count} for a {size}-byte read.");
                }
            }
#pragma warning disable CA1031 // answered with an errno
            catch (Exception e)
            {
                SendException(r, e);
                return;
            }
#pragma warning restore CA1031

            SendBuffer(r, buffer, OutHeaderSize + count);
        }
        finally
        {
            _readBuffers.Return(buffer);
        }
    }

    private static void OnReadDir(FuseSession s, FuseRequest? r, in fuse_in_header h, ReadOnlySpan<byte> input)
    {
        var args = MemoryMarshal.Read<fuse_read_in>(input);
        if (args.size > (uint)s._options.MaxRead || args.offset > long.MaxValue)
        {
            s.SendError(r!, Errno.EINVAL);
            return;
        }

        var buffer = new FuseDirectoryBuffer(r!.Opcode == FuseOpcode.ReadDirPlus, (int)args.size);
        ValueTask pending;
        try
        {
            pending = s._fs.ReadDirAsync(r, r.NodeId, new FileHandle(args.fh), (long)args.offset, buffer);
        }
#pragma warning disable CA1031 // answered with an errno
        catch (Exception e)
        {
            buffer.Release();
            s.SendException(r, e);
            return;
        }
#pragma warning restore CA1031

        if (pending.IsCompleted)
        {
            s.FinishReadDir(r, pending, buffer);
        }
        else
        {
            _ = s.FinishReadDirAsync(r, pending, buffer);
        }
    }

    private async Task FinishReadDirAsync(FuseRequest r, ValueTask pending, FuseDirectoryBuffer buffer)
    {
        try
        {
            await pending.ConfigureAwait(false);
        }
#pragma warning disable CA1031 // observed (and answered) by FinishReadDir
        catch (Exception)
        {
        }
#pragma warning restore CA1031

        FinishReadDir(r, pending, buffer);
    }

    private void FinishReadDir(FuseRequest r, ValueTask completed, FuseDirectoryBuffer buffer)
    {
        try
        {
            try
            {
                completed.GetAwaiter().GetResult();
            }
#pragma warning disable CA1031 // answered with an errno
            catch (Exception e)
            {
                SendException(r, e);
                return;
            }
#pragma warning restore CA1031

            SendBuffer(r, buffer.Buffer, buffer.Length);
        }
        finally
        {
            buffer.Release();
        }
    }

    private static void OnFlush(FuseSession s, FuseRequest? r, in fuse_in_header h, ReadOnlySpan<byte> input)
    {
        var fh = new FileHandle(MemoryMarshal.Read<fuse_flush_in>(input).fh);
        s.Run(r!, fh, static (s, r, fh) => s._fs.FlushAsync(r, r.NodeId, fh));
    }

    private static void OnRelease(FuseSession s, FuseRequest? r, in fuse_in_header h, ReadOnlySpan<byte> input)
    {
        var fh = new FileHandle(MemoryMarshal.Read<fuse_release_in>(input).fh);
        s.Run(r!, fh, static (s, r, fh) => s._fs.ReleaseAsync(r, r.NodeId, fh));
    }

    private static void OnReleaseDir(FuseSession s, FuseRequest? r, in fuse_in_header h, ReadOnlySpan<byte> input)
    {
        var fh = new FileHandle(MemoryMarshal.Read<fuse_release_in>(input).fh);
        s.Run(r!, fh, static (s, r, fh) => s._fs.ReleaseDirAsync(r, r.NodeId, fh));
    }

    private static void OnStatFs(FuseSession s, FuseRequest? r, in fuse_in_header h, ReadOnlySpan<byte> input)
        => s.Run(r!, 0, static (s, r, _) => s._fs.StatFsAsync(r, r.NodeId), static (s, r, st) => s.SendStruct(r, new fuse_statfs_out
        {
            st = new fuse_kstatfs
            {
                blocks = st.Blocks,
                bfree = st.BlocksFree,
                bavail = st.BlocksAvailable,
                files = st.Files,
                ffree = st.FilesFree,
                bsize = st.BlockSize,
                frsize = st.FragmentSize == 0 ? st.BlockSize : st.FragmentSize,
                namelen = st.MaxNameLength,
            },
        }));

    private static void OnAccess(FuseSession s, FuseRequest? r, in fuse_in_header h, ReadOnlySpan<byte> input)
    {
        var mask = (int)MemoryMarshal.Read<fuse_access_in>(input).mask;
        if ((mask & W_OK) != 0)
        {
            s.SendError(r!, Errno.EROFS);
            return;
        }

        s.Run(r!, mask, static (s, r, mask) => s._fs.AccessAsync(r, r.NodeId, mask));
    }

    private static unsafe void OnGetXAttr(FuseSession s, FuseRequest? r, in fuse_in_header h, ReadOnlySpan<byte> input)
    {
        var size = MemoryMarshal.Read<fuse_getxattr_in>(input).size;
        var name = DecodeName(input[sizeof(fuse_getxattr_in)..]);
        s.Run(r!, (name, size), static (s, r, a) => s._fs.GetXAttrAsync(r, r.NodeId, a.name), (s, r, value) =>
        {
            if (value is not null)
            {
                s.SendXAttr(r, value, size);
            }
            else
            {
                s.SendError(r, Errno.ENODATA);
            }
        });
    }

    private static void OnListXAttr(FuseSession s, FuseRequest? r, in fuse_in_header h, ReadOnlySpan<byte> input)
    {
        var size = MemoryMarshal.Read<fuse_getxattr_in>(input).size;
        s.Run(r!, size, static (s, r, _) => s._fs.ListXAttrAsync(r, r.NodeId), (s, r, names) =>
        {
            var encoded = new List<byte>();
            foreach (var name in names)
            {
                if (string.IsNullOrEmpty(name) || name.Contains('\0', StringComparison.Ordinal))
                {
                    throw new InvalidOperationException($"ListXAttrAsync returned an invalid name '{name}'.");
                }

                encoded.AddRange(Encoding.UTF8.GetBytes(name));
                encoded.Add(0);
            }

            s.SendXAttr(r, CollectionsMarshal.AsSpan(encoded), size);
        });
    }

    private static void OnInterrupt(FuseSession s, FuseRequest? r, in fuse_in_header h, ReadOnlySpan<byte> input)
    {
        var target = MemoryMarshal.Read<fuse_interrupt_in>(input).unique;
        if (s._inFlight.TryGetValue(target, out var victim))
        {
            victim.Interrupt();
            return;
        }

        // Not (yet) seen: another reader may still be dispatching it. EAGAIN makes the kernel queue the
        // INTERRUPT again if the request is still pending; if it was answered the write fails with ENOENT.
        s.SendRaw(h.unique, Errno.EAGAIN);
    }

    private static void OnInit(FuseSession s, FuseRequest? r, in fuse_in_header h, ReadOnlySpan<byte> input) => s.Negotiate(r!, input);
}

using System.Runtime.InteropServices;
using static HddFs.Fuse.Interop;

namespace HddFs.Fuse;

/// <summary>
/// Answering: every reply is one write(2)/writev(2) of fuse_out_header + payload, made on whichever
/// thread the operation completed. Every Send* first claims the request's single answer
/// (<see cref="FuseRequest.MarkAnswered"/>), so answering twice throws instead of confusing the kernel;
/// the request leaves the in-flight table only after its reply was written (see OnInterrupt).
/// write(2) on /dev/fuse is atomic per message, so no lock is needed between replying threads.
/// </summary>
public sealed partial class FuseSession
{
    /// <summary>Calls the filesystem and, when its ValueTask completes, answers with <paramref name="reply"/> or the errno.</summary>
    private void Run<TArg, TResult>(FuseRequest r, TArg arg, Func<FuseSession, FuseRequest, TArg, ValueTask<TResult>> start, Action<FuseSession, FuseRequest, TResult> reply)
    {
        ValueTask<TResult> pending;
        try
        {
            pending = start(this, r, arg);
        }
#pragma warning disable CA1031 // answered with an errno
        catch (Exception e)
        {
            SendException(r, e);
            return;
        }
#pragma warning restore CA1031

        if (pending.IsCompleted)
        {
            Complete(r, pending, reply);
        }
        else
        {
            _ = CompleteAsync(r, pending, reply);
        }
    }

    /// <summary>As above for operations whose success carries no data.</summary>
    private void Run<TArg>(FuseRequest r, TArg arg, Func<FuseSession, FuseRequest, TArg, ValueTask> start)
    {
        ValueTask pending;
        try
        {
            pending = start(this, r, arg);
        }
#pragma warning disable CA1031 // answered with an errno
        catch (Exception e)
        {
            SendException(r, e);
            return;
        }
#pragma warning restore CA1031

        if (pending.IsCompleted)
        {
            Complete(r, pending);
        }
        else
        {
            _ = CompleteAsync(r, pending);
        }
    }

    private async Task CompleteAsync<TResult>(FuseRequest r, ValueTask<TResult> pending, Action<FuseSession, FuseRequest, TResult> reply)
    {
        try
        {
            await pending.ConfigureAwait(false);
        }
#pragma warning disable CA1031 // observed (and answered) by Complete
        catch (Exception)
        {
        }
#pragma warning restore CA1031

        Complete(r, pending, reply);
    }

    private async Task CompleteAsync(FuseRequest r, ValueTask pending)
    {
        try
        {
            await pending.ConfigureAwait(false);
        }
#pragma warning disable CA1031 // observed (and answered) by Complete
        catch (Exception)
        {
        }
#pragma warning restore CA1031

        Complete(r, pending);
    }

    private void Complete<TResult>(FuseRequest r, ValueTask<TResult> completed, Action<FuseSession, FuseRequest, TResult> reply)
    {
        try
        {
            reply(this, r, completed.GetAwaiter().GetResult());
        }
#pragma warning disable CA1031 // answered with an errno (or logged if the answer was already sent)
        catch (Exception e)
        {
            SendException(r, e);
        }
#pragma warning restore CA1031
    }

    private void Complete(FuseRequest r, ValueTask completed)
    {
        try
        {
            completed.GetAwaiter().GetResult();
            SendOk(r);
        }
#pragma warning disable CA1031 // answered with an errno (or logged if the answer was already sent)
        catch (Exception e)
        {
            SendException(r, e);
        }
#pragma warning restore CA1031
    }

    /// <summary>The errno map: FuseException → its errno; cancellation of an interrupted request → EINTR; anything else → EIO, logged.</summary>
    private void SendException(FuseRequest r, Exception e)
    {
        if (r.IsAnswered)
        {
            _log.Error($"{OpcodeName(r.Opcode)} {r.Unique}: failure after the answer was sent", e);
            return;
        }

        Errno errno;
        switch (e)
        {
            case FuseException fe:
                errno = fe.Errno;
                break;
            case OperationCanceledException when r.IsInterrupted:
                errno = Errno.EINTR;
                break;
            default:
                errno = Errno.EIO;
                _log.Error($"{OpcodeName(r.Opcode)} on node {r.NodeId} failed; answered EIO", e);
                break;
        }

        SendError(r, errno);
    }

    private void SendOk(FuseRequest r) => SendHeaderOnly(r, 0);

    private void SendError(FuseRequest r, Errno errno) => SendHeaderOnly(r, (int)errno);

    private unsafe void SendHeaderOnly(FuseRequest r, int errno)
    {
        r.MarkAnswered();
        var header = new fuse_out_header { len = OutHeaderSize, error = -errno, unique = r.Unique };
        var result = Write((byte*)&header, OutHeaderSize);
        Finished(r, errno, OutHeaderSize, result);
    }

    /// <summary>An answer without a request object: only INTERRUPT's EAGAIN.</summary>
    private unsafe void SendRaw(ulong unique, Errno errno)
    {
        var header = new fuse_out_header { len = OutHeaderSize, error = -(int)errno, unique = unique };
        var result = Write((byte*)&header, OutHeaderSize);
        if (_log.IsTraceEnabled)
        {
            _log.Trace($"-> INTERRUPT unique={unique} {errno}{(result == 0 ? "" : $" (write: {result})")}");
        }
    }

    private unsafe void SendStruct<T>(FuseRequest r, in T value)
        where T : unmanaged
    {
        r.MarkAnswered();
        var length = OutHeaderSize + sizeof(T);
        var message = stackalloc byte[length];
        *(fuse_out_header*)message = new fuse_out_header { len = (uint)length, error = 0, unique = r.Unique };
        *(T*)(message + OutHeaderSize) = value;
        var result = Write(message, length);
        Finished(r, 0, length, result);
    }

    private unsafe void SendPayload(FuseRequest r, ReadOnlySpan<byte> payload)
    {
        r.MarkAnswered();
        var length = OutHeaderSize + payload.Length;
        var header = new fuse_out_header { len = (uint)length, error = 0, unique = r.Unique };
        Errno result;
        fixed (byte* data = payload)
        {
            var iov = stackalloc iovec[2];
            iov[0] = new iovec { iov_base = (nint)(&header), iov_len = OutHeaderSize };
            iov[1] = new iovec { iov_base = (nint)data, iov_len = (nuint)payload.Length };
            result = WriteVector(iov, payload.IsEmpty ? 1 : 2);
        }

        Finished(r, 0, length, result);
    }

    /// <summary>A reply already laid out in <paramref name="buffer"/> with 16 bytes reserved for the header.</summary>
    private unsafe void SendBuffer(FuseRequest r, byte[] buffer, int length)
    {
        r.MarkAnswered();
        MemoryMarshal.Write(buffer, new fuse_out_header { len = (uint)length, error = 0, unique = r.Unique });
        Errno result;
        fixed (byte* message = buffer)
        {
            result = Write(message, length);
        }

        Finished(r, 0, length, result);
    }

    private void SendEntry(FuseRequest r, in FuseEntry entry)
    {
        if (!entry.IsNegative)
        {
            ValidateAttributes(entry.Attributes);
        }

        SendStruct(r, entry.ToKernel());
    }

    private void SendAttr(FuseRequest r, in FuseAttributesResult result)
    {
        ValidateAttributes(result.Attributes);
        var (seconds, nanos) = FuseAttributes.ToKernelTimeout(result.Timeout);
        SendStruct(r, new fuse_attr_out { attr_valid = seconds, attr_valid_nsec = nanos, attr = result.Attributes.ToKernel() });
    }

    private void SendOpen(FuseRequest r, in FuseOpenResult result)
        => SendStruct(r, new fuse_open_out { fh = result.Handle.Value, open_flags = (uint)result.Flags });

    /// <summary>The xattr size protocol: size 0 asks for the length; a value longer than size is ERANGE.</summary>
    private void SendXAttr(FuseRequest r, ReadOnlySpan<byte> value, uint size)
    {
        if (size == 0)
        {
            SendStruct(r, new fuse_getxattr_out { size = (uint)value.Length });
        }
        else if ((uint)value.Length > size)
        {
            SendError(r, Errno.ERANGE);
        }
        else
        {
            SendPayload(r, value);
        }
    }

    /// <summary>The kernel marks an inode bad (EIO forever) on a reply without a file type or with size &gt; 2^63-1: refuse such answers here.</summary>
    private static void ValidateAttributes(in FuseAttributes attributes)
    {
        if (attributes.Type == FuseFileType.Unknown || attributes.Size > long.MaxValue)
        {
            throw new InvalidOperationException($"Invalid attributes for ino {attributes.Ino}: type {attributes.Type}, size {attributes.Size}.");
        }
    }

    private unsafe Errno Write(byte* message, int length)
    {
        try
        {
            return Interop.Libc.write(_device, message, (nuint)length) >= 0 ? 0 : (Errno)Marshal.GetLastPInvokeError();
        }
        catch (ObjectDisposedException)
        {
            return Errno.ENODEV; // the session ended; the kernel no longer waits for anything
        }
    }

    private unsafe Errno WriteVector(iovec* iov, int count)
    {
        try
        {
            return Interop.Libc.writev(_device, iov, count) >= 0 ? 0 : (Errno)Marshal.GetLastPInvokeError();
        }
        catch (ObjectDisposedException)
        {
            return Errno.ENODEV;
        }
    }

    private void Finished(FuseRequest r, int errno, int length, Errno writeResult)
    {
        _inFlight.TryRemove(new KeyValuePair<ulong, FuseRequest>(r.Unique, r));
        if (writeResult != 0 && writeResult is not (Errno.ENOENT or Errno.ENODEV))
        {
            // ENOENT: the request was interrupted and is no longer waited for. Anything else is our bug.
            _log.Error($"reply to {OpcodeName(r.Opcode)} {r.Unique} ({length} bytes, error {errno}) was refused: {writeResult}");
        }

        if (_log.IsTraceEnabled)
        {
            var micros = System.Diagnostics.Stopwatch.GetElapsedTime(r.StartTimestamp).TotalMicroseconds;
            var status = errno == 0 ? "OK" : ((Errno)errno).ToString();
            var dropped = writeResult == 0 ? "" : $" (dropped: {writeResult})";
            _log.Trace($"-> {OpcodeName(r.Opcode)} unique={r.Unique} {status} len={length} {micros:0}us{dropped}");
        }
    }
}

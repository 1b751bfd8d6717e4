using static HddFs.Quic.Interop.HddFsQuic;

namespace HddFs.Quic;

/// <summary>
/// A QUIC stream. Reads return 0 after the peer's FIN. Writes copy into native send buffers and complete once
/// copied; they wait while the stream's (or connection's) unacknowledged bytes reach the send buffer cap, so a
/// peer that does not read stops a writer (backpressure end to end: the receiver returns flow-control credit only
/// for bytes its application consumed).
/// </summary>
/// <remarks>
/// One read and one write may run concurrently; two concurrent reads (or writes) are an error. Disposal: an open
/// sending side gets a FIN (data already written is still delivered: a graceful end, not a reset), an unfinished
/// receiving side gets STOP_SENDING with code 0. Use <see cref="Abort"/> first to reset instead.
/// </remarks>
public sealed class QuicStream : Stream
{
    // immutable
    private readonly QuicConnection _connection;
    private readonly SafeHqStreamHandle _handle;

    private readonly AsyncSignal _readable = new();
    private readonly AsyncSignal _writable = new();
    private readonly TaskCompletionSource _readsClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _writesClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _reading;
    private int _writing;
    private int _disposed;

    internal QuicStream(QuicConnection connection, SafeHqStreamHandle handle, long id)
    {
        _connection = connection;
        _handle = handle;
        Id = id;
        var bidirectional = (id & 2) == 0;
        var local = ((id & 1) == 0) == connection.IsClient;
        CanRead = bidirectional || !local;
        CanWrite = bidirectional || local;
        if (!CanRead)
        {
            _readsClosed.TrySetResult();
        }

        if (!CanWrite)
        {
            _writesClosed.TrySetResult();
        }
    }

    /// <summary>The QUIC stream ID (bit 0: server-initiated, bit 1: unidirectional).</summary>
    public long Id { get; }

    public override bool CanRead { get; }

    public override bool CanWrite { get; }

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>Completes when the peer's FIN was read; faults when the peer reset the stream, reads were aborted
    /// locally or the connection closed.</summary>
    public Task ReadsClosed => _readsClosed.Task;

    /// <summary>Completes when the FIN was sent and all written data acknowledged; faults when the peer sent
    /// STOP_SENDING, writes were aborted locally or the connection closed.</summary>
    public Task WritesClosed => _writesClosed.Task;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (!CanRead)
        {
            throw new NotSupportedException("This stream is send-only.");
        }

        if (Interlocked.Exchange(ref _reading, 1) != 0)
        {
            throw new InvalidOperationException("Another read is in progress on this stream.");
        }

        try
        {
            while (true)
            {
                var rc = ReadNative(buffer.Span, out var code);
                if (rc >= 0)
                {
                    if (rc == 0 && !buffer.IsEmpty)
                    {
                        _readsClosed.TrySetResult();
                    }

                    return (int)rc;
                }

                if (rc == HQ_AGAIN)
                {
                    await _readable.WaitAsync(cancellationToken).ConfigureAwait(false);
                    continue;
                }

                throw Fault(_readsClosed, await _connection.ErrorAsync(rc, code, "Reading").ConfigureAwait(false));
            }
        }
        finally
        {
            Volatile.Write(ref _reading, 0);
        }
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        => WriteAsync(buffer, completeWrites: false, cancellationToken);

    /// <summary>Writes <paramref name="buffer"/>; with <paramref name="completeWrites"/> the FIN follows the last byte
    /// (in the same packet when possible).</summary>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, bool completeWrites, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (!CanWrite)
        {
            throw new NotSupportedException("This stream is receive-only.");
        }

        if (Interlocked.Exchange(ref _writing, 1) != 0)
        {
            throw new InvalidOperationException("Another write is in progress on this stream.");
        }

        try
        {
            while (true)
            {
                var rc = WriteNative(buffer.Span, completeWrites, out var code);
                if (rc >= 0)
                {
                    buffer = buffer[(int)rc..];
                    if (buffer.IsEmpty)
                    {
                        return;
                    }

                    continue;
                }

                if (rc == HQ_AGAIN)
                {
                    await _writable.WaitAsync(cancellationToken).ConfigureAwait(false);
                    continue;
                }

                throw Fault(_writesClosed, await _connection.ErrorAsync(rc, code, "Writing").ConfigureAwait(false));
            }
        }
        finally
        {
            Volatile.Write(ref _writing, 0);
        }
    }

    /// <summary>Ends the sending side (FIN) after the data already written.</summary>
    public void CompleteWrites()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (!CanWrite)
        {
            return;
        }

        var rc = WriteNative([], fin: true, out var code);
        if (rc < 0 && rc != HQ_ERR_STATE)
        {
            throw Fault(_writesClosed, rc == HQ_ERR_CLOSED && _connection.CloseReason is { } reason
                ? reason
                : ThrowHelper.ForStatus(rc, code, 0, "Completing writes"));
        }
    }

    /// <summary>Sends the FIN and waits until all written data is acknowledged (<see cref="WritesClosed"/>).</summary>
    public async ValueTask CompleteWritesAsync(CancellationToken cancellationToken = default)
    {
        CompleteWrites();
        await _writesClosed.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Aborts a direction: <see cref="QuicAbortDirection.Read"/> sends STOP_SENDING, <see cref="QuicAbortDirection.Write"/>
    /// sends RESET_STREAM (unsent data is dropped). The peer sees <see cref="QuicError.StreamAborted"/> with
    /// <paramref name="errorCode"/>; local pending operations fail with <see cref="QuicError.OperationAborted"/>.</summary>
    public void Abort(QuicAbortDirection direction, long errorCode)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(errorCode);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var how = (direction.HasFlag(QuicAbortDirection.Read) && CanRead ? HQ_SHUT_READ : 0)
            | (direction.HasFlag(QuicAbortDirection.Write) && CanWrite ? HQ_SHUT_WRITE : 0);
        if (how == 0)
        {
            return;
        }

        hq_stream_shutdown(_handle, how, (ulong)errorCode);
        if ((how & HQ_SHUT_READ) != 0)
        {
            Fault(_readsClosed, new QuicException(QuicError.OperationAborted, "Reads were aborted locally."));
            _readable.Set();
        }

        if ((how & HQ_SHUT_WRITE) != 0)
        {
            Fault(_writesClosed, new QuicException(QuicError.OperationAborted, "Writes were aborted locally."));
            _writable.Set();
        }
    }

    public override int Read(Span<byte> buffer)
    {
        var copy = new byte[buffer.Length];
        var n = ReadAsync(copy).AsTask().GetAwaiter().GetResult();
        copy.AsSpan(0, n).CopyTo(buffer);
        return n;
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        return ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        ValidateBufferArguments(buffer, offset, count);
        return ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }

    public override void Write(ReadOnlySpan<byte> buffer) => WriteAsync(buffer.ToArray()).AsTask().GetAwaiter().GetResult();

    public override void Write(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        ValidateBufferArguments(buffer, offset, count);
        return WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }

    /// <summary>Nothing to do: written bytes are sent by the I/O thread as soon as flow and congestion control allow.</summary>
    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _connection.RemoveStream(Id);
            _handle.Dispose(); // FIN / STOP_SENDING(0) as needed, natively
            var disposed = new QuicException(QuicError.OperationAborted, "The stream was disposed.");
            Fault(_readsClosed, disposed);
            Fault(_writesClosed, disposed);
            _readable.Set();
            _writable.Set();
        }

        base.Dispose(disposing);
    }

    private unsafe long ReadNative(Span<byte> buffer, out ulong code)
    {
        fixed (byte* p = buffer)
        {
            return hq_stream_read(_handle, p, (ulong)buffer.Length, out code);
        }
    }

    private unsafe long WriteNative(ReadOnlySpan<byte> buffer, bool fin, out ulong code)
    {
        fixed (byte* p = buffer)
        {
            return hq_stream_write(_handle, p, (ulong)buffer.Length, fin ? 1 : 0, out code);
        }
    }

    private static Exception Fault(TaskCompletionSource tcs, Exception error)
    {
        if (tcs.TrySetException(error))
        {
            _ = tcs.Task.Exception; // observed: the awaiting API reports it
        }

        return error;
    }

    // ---- events (I/O thread) ----

    internal void OnEvent(uint type, uint flags, ulong code)
    {
        switch (type)
        {
            case HQ_EV_STREAM_READABLE:
                _readable.Set();
                break;
            case HQ_EV_STREAM_WRITABLE:
                _writable.Set();
                break;
            case HQ_EV_STREAM_PEER_RESET:
                Fault(_readsClosed, ThrowHelper.ForStatus(HQ_ERR_STREAM_RESET, code, 0, "Reading"));
                _readable.Set();
                break;
            case HQ_EV_STREAM_PEER_STOP:
                Fault(_writesClosed, ThrowHelper.ForStatus(HQ_ERR_STREAM_STOPPED, code, (flags & HQ_EVF_CODE) != 0 ? 1 : 0, "Writing"));
                _writable.Set();
                break;
            case HQ_EV_STREAM_WRITES_DONE:
                _writesClosed.TrySetResult();
                break;
            case HQ_EV_STREAM_CLOSED:
                _readable.Set();
                _writable.Set();
                break;
        }
    }

    internal void OnConnectionClosed(QuicException reason)
    {
        Fault(_readsClosed, reason);
        Fault(_writesClosed, reason);
        _readable.Set();
        _writable.Set();
    }
}

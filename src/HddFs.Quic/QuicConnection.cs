using System.Collections.Concurrent;
using System.Net;
using System.Threading.Channels;
using static HddFs.Quic.Interop.HddFsQuic;

namespace HddFs.Quic;

/// <summary>
/// An authenticated QUIC connection. Streams the peer opens arrive through <see cref="AcceptInboundStreamAsync"/>.
/// When the connection ends for any reason, <see cref="Closed"/> completes, <see cref="CloseReason"/> says why and
/// every pending and later operation on it and its streams fails with that exception.
/// </summary>
/// <remarks>Thread-safe.</remarks>
public sealed class QuicConnection : IAsyncDisposable
{
    private static readonly TimeSpan CloseWait = TimeSpan.FromSeconds(5);

    // immutable
    private readonly QuicEndpoint _endpoint;
    private readonly SafeHqConnectionHandle _handle;
    private readonly TaskCompletionSource? _connected; // client only

    // streams by id, added by the opener / the I/O thread, removed on disposal
    private readonly ConcurrentDictionary<long, QuicStream> _streams = new();
    private readonly Channel<QuicStream> _inbound = Channel.CreateUnbounded<QuicStream>(new UnboundedChannelOptions { SingleWriter = true });
    private readonly AsyncSignal _streamsAvailable = new();
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile QuicException? _closeReason;
    private int _disposed;

    internal QuicConnection(QuicEndpoint endpoint, SafeHqConnectionHandle handle, ulong key, bool isClient, IPEndPoint? remote)
    {
        _endpoint = endpoint;
        _handle = handle;
        Key = key;
        IsClient = isClient;
        RemoteEndPoint = remote ?? new IPEndPoint(IPAddress.None, 0);
        LocalEndPoint = endpoint.LocalEndPoint;
        if (isClient)
        {
            _connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        else
        {
            RefreshInfo();
        }
    }

    public IPEndPoint RemoteEndPoint { get; private set; }

    public IPEndPoint LocalEndPoint { get; private set; }

    /// <summary>The raw 32-byte Ed25519 key from the peer's certificate (empty only for a server that does not
    /// require client certificates, when the client sent none).</summary>
    public ReadOnlyMemory<byte> PeerPublicKey { get; private set; }

    public bool IsClient { get; }

    /// <summary>Completes (never faults) when the connection is gone; <see cref="CloseReason"/> is then set.</summary>
    public Task Closed => _closed.Task;

    public QuicException? CloseReason => _closeReason;

    internal ulong Key { get; }

    internal SafeHqConnectionHandle Handle => _handle;

    /// <summary>Opens a bidirectional stream, waiting while the peer's stream limit is reached.</summary>
    public ValueTask<QuicStream> OpenBidirectionalStreamAsync(CancellationToken cancellationToken)
        => OpenStreamAsync(bidirectional: true, cancellationToken);

    /// <summary>Opens a unidirectional (send-only) stream, waiting while the peer's stream limit is reached.</summary>
    public ValueTask<QuicStream> OpenUnidirectionalStreamAsync(CancellationToken cancellationToken)
        => OpenStreamAsync(bidirectional: false, cancellationToken);

    private async ValueTask<QuicStream> OpenStreamAsync(bool bidirectional, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var rc = hq_conn_open_stream(_handle, bidirectional ? 1 : 0, out var native, out var id);
            if (rc == HQ_OK)
            {
                var stream = new QuicStream(this, new SafeHqStreamHandle(native), id);
                _streams[id] = stream;
                return stream;
            }

            if (rc == HQ_AGAIN)
            {
                await _streamsAvailable.WaitAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            throw await ErrorAsync(rc, 0, "Opening a stream").ConfigureAwait(false);
        }
    }

    /// <summary>The next stream the peer opened.</summary>
    /// <exception cref="QuicException">The connection is closed (its <see cref="CloseReason"/>).</exception>
    public async ValueTask<QuicStream> AcceptInboundStreamAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        try
        {
            return await _inbound.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            throw _closeReason ?? new QuicException(QuicError.OperationAborted, "The connection was disposed.");
        }
    }

    /// <summary>Closes gracefully: CONNECTION_CLOSE with <paramref name="applicationErrorCode"/>, then the closing
    /// period (the peer sees <see cref="QuicError.ConnectionAborted"/> with this code). Completes when the frame was
    /// sent. Does nothing if the connection is already closed.</summary>
    public async ValueTask CloseAsync(long applicationErrorCode, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(applicationErrorCode);
        if (!_closed.Task.IsCompleted && !_handle.IsClosed)
        {
            hq_conn_close(_handle, (ulong)applicationErrorCode);
        }

        await _closed.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Transport state: RTT, congestion window, datagrams sent and received.</summary>
    public unsafe QuicConnectionStatistics GetStatistics()
    {
        hq_conn_info info;
        hq_conn_get_info(_handle, &info);
        return new QuicConnectionStatistics(
            TimeSpan.FromTicks((long)info.smoothed_rtt_ns / 100),
            TimeSpan.FromTicks((long)info.min_rtt_ns / 100),
            (long)info.cwnd,
            (long)info.bytes_in_flight,
            (long)info.pkts_sent,
            (long)info.pkts_recv,
            (long)info.pkts_lost_hint);
    }

    /// <summary>Idempotent: <see cref="CloseAsync"/>(0) if still open (waiting at most a few seconds), then frees the
    /// native connection. Streams still queued for accepting are disposed.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (!_closed.Task.IsCompleted && !_handle.IsClosed)
        {
            hq_conn_close(_handle, 0);
            try
            {
                await _closed.Task.WaitAsync(CloseWait).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
            }
        }

        _inbound.Writer.TryComplete();
        while (_inbound.Reader.TryRead(out var stream))
        {
            await stream.DisposeAsync().ConfigureAwait(false);
        }

        _endpoint.Forget(Key);
        _handle.Dispose();
    }

    internal async Task WaitConnectedAsync(CancellationToken cancellationToken)
        => await _connected!.Task.WaitAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>The exception for a failed native call; for HQ_ERR_CLOSED waits (briefly) for the close event so that
    /// the caller sees the real reason.</summary>
    internal async ValueTask<Exception> ErrorAsync(long status, ulong code, string operation)
    {
        if (status != HQ_ERR_CLOSED)
        {
            return ThrowHelper.ForStatus(status, code, 0, operation);
        }

        try
        {
            await _closed.Task.WaitAsync(CloseWait).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }

        return _closeReason ?? ThrowHelper.ForStatus(status, code, 0, operation);
    }

    internal void RemoveStream(long id) => _streams.TryRemove(id, out _);

    private unsafe void RefreshInfo()
    {
        hq_conn_info info;
        hq_conn_get_info(_handle, &info);
        RemoteEndPoint = QuicAddress.ToEndPoint(info.remote);
        LocalEndPoint = _endpoint.LocalEndPoint;
        PeerPublicKey = info.peer_key_len > 0 ? new ReadOnlySpan<byte>(info.peer_key, info.peer_key_len).ToArray() : ReadOnlyMemory<byte>.Empty;
    }

    // ---- events (I/O thread; never block, never throw on purpose) ----

    internal void OnConnected()
    {
        RefreshInfo();
        _connected?.TrySetResult();
    }

    internal void OnClosed(QuicException reason)
    {
        _closeReason = reason;
        _closed.TrySetResult();
        if (_connected is not null && _connected.TrySetException(reason))
        {
            _ = _connected.Task.Exception; // observed: ConnectAsync reports it
        }

        _inbound.Writer.TryComplete();
        _streamsAvailable.Set();
        foreach (var stream in _streams.Values)
        {
            stream.OnConnectionClosed(reason);
        }
    }

    internal void OnStreamsAvailable() => _streamsAvailable.Set();

    internal bool OnStreamAccepted(SafeHqStreamHandle handle, long id)
    {
        if (Volatile.Read(ref _disposed) != 0 || _closeReason is not null)
        {
            return false;
        }

        var stream = new QuicStream(this, handle, id);
        _streams[id] = stream;
        if (!_inbound.Writer.TryWrite(stream))
        {
            _streams.TryRemove(id, out _);
            return false;
        }

        return true;
    }

    internal void OnStreamEvent(uint type, uint flags, long id, ulong code)
    {
        if (_streams.TryGetValue(id, out var stream))
        {
            stream.OnEvent(type, flags, code);
        }
    }
}

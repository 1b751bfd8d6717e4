using HddFs.Core;
using HddFs.Quic;

namespace HddFs.Peers.Rpc;

/// <summary>
/// The raw bytes after a read response header: exactly <c>length</c> bytes, then 0. A stream that ends
/// early, stalls longer than the deadline, or is reset throws <see cref="RemoteShareException"/>.
/// Owns the QUIC stream and the deadline; disposing early sends STOP_SENDING so the peer stops.
/// </summary>
internal sealed class RemoteReadStream(QuicStream stream, long length, StallDeadline deadline, PeerId peer, CancellationToken caller) : ReadOnlyBodyStream
{
    private long _received;
    private bool _disposed;

    public override long Length => length;

    public override long Position
    {
        get => _received;
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var remaining = length - _received;
        if (remaining <= 0 || buffer.Length == 0)
        {
            return 0;
        }

        if (buffer.Length > remaining)
        {
            buffer = buffer[..(int)remaining];
        }

        int n;
        try
        {
            deadline.Restart();
            using var linked = cancellationToken.CanBeCanceled
                ? CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, cancellationToken)
                : null;
            n = await stream.ReadAsync(buffer, linked?.Token ?? deadline.Token);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (RpcErrors.Translate(ex, deadline, peer, caller) is { } translated)
        {
            throw translated;
        }

        if (n == 0)
        {
            throw new RemoteShareException(RemoteError.Protocol, $"{PeerName.Display(peer)} ended the transfer after {_received} of {length} bytes.");
        }

        _received += n;
        return n;
    }

    public override async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_received < length)
        {
            stream.Abort(QuicAbortDirection.Read, RpcServer.CancelledCode);
        }

        await stream.DisposeAsync();
        deadline.Dispose();
        await base.DisposeAsync();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        base.Dispose(disposing);
    }
}

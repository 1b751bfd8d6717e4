using System.Runtime.CompilerServices;
using HddFs.Core;
using HddFs.Protocol;
using HddFs.Quic;

namespace HddFs.Peers.Rpc;

/// <summary>
/// A remote peer's shares over its current QUIC connection: one stream per request. Every wait is
/// bounded: opening a stream and receiving the first frame by <see cref="PeerOptions.RequestTimeout"/>,
/// and each later frame or chunk by the same stall timeout, so a vanished peer fails a call with
/// <see cref="RemoteError.Timeout"/> or <see cref="RemoteError.Unavailable"/> instead of hanging.
/// </summary>
/// <param name="peer">The peer's key.</param>
/// <param name="connection">Returns the peer's live connection, or null while it is not connected.</param>
/// <param name="options">Timeouts.</param>
public sealed class RemotePeerShares(PeerId peer, Func<QuicConnection?> connection, PeerOptions options) : IRemoteShares
{
    public PeerId Peer => peer;

    public async IAsyncEnumerable<IReadOnlyList<RemoteEntry>> ListAsync(LsQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var request = LsRequest.FromQuery(query);
        var sequence = new LsResponseSequence(request);
        using var deadline = new StallDeadline(options.RequestTimeout, cancellationToken);
        var stream = await OpenAsync(request, deadline, cancellationToken);
        await using (stream)
        {
            while (true)
            {
                IReadOnlyList<RemoteEntry>? page;
                try
                {
                    deadline.Restart();
                    page = sequence.Accept(await FrameReader.ReadAsync(stream, deadline.Token));
                }
                catch (Exception ex) when (RpcErrors.Translate(ex, deadline, peer, cancellationToken) is { } translated)
                {
                    throw translated;
                }

                if (page is null)
                {
                    yield break;
                }

                yield return page;
            }
        }
    }

    public async ValueTask<RemoteRead> ReadAsync(SharePath path, long offset, long length, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var request = new ReadRequest(path, (ulong)offset, (ulong)length);
        var deadline = new StallDeadline(options.RequestTimeout, cancellationToken);
        QuicStream? stream = null;
        try
        {
            stream = await OpenAsync(request, deadline, cancellationToken);
            ulong declared;
            try
            {
                declared = Responses.ExpectReadResponse(request, await FrameReader.ReadAsync(stream, deadline.Token));
            }
            catch (Exception ex) when (RpcErrors.Translate(ex, deadline, peer, cancellationToken) is { } translated)
            {
                throw translated;
            }

            var body = new RemoteReadStream(stream, (long)declared, deadline, peer, cancellationToken);
            stream = null;
            deadline = null;
            return new RemoteRead((long)declared, body);
        }
        finally
        {
            if (stream is not null)
            {
                stream.Abort(QuicAbortDirection.Both, RpcServer.CancelledCode);
                await stream.DisposeAsync();
            }

            deadline?.Dispose();
        }
    }

    /// <summary>Opens a stream on the live connection and sends the request (with FIN).</summary>
    private async Task<QuicStream> OpenAsync(Message request, StallDeadline deadline, CancellationToken cancellationToken)
    {
        var quic = connection() ?? throw new RemoteShareException(RemoteError.Unavailable, $"{PeerName.Display(peer)} is not connected.");
        QuicStream? stream = null;
        try
        {
            deadline.Restart();
            stream = await quic.OpenBidirectionalStreamAsync(deadline.Token);
            await FrameWriter.WriteAsync(stream, request, deadline.Token);
            stream.CompleteWrites();
            return stream;
        }
        catch (Exception ex) when (RpcErrors.Translate(ex, deadline, peer, cancellationToken) is { } translated)
        {
            if (stream is not null)
            {
                stream.Abort(QuicAbortDirection.Both, RpcServer.CancelledCode);
                await stream.DisposeAsync();
            }

            throw translated;
        }
    }
}

using System.Buffers;
using HddFs.Core;
using HddFs.Protocol;
using HddFs.Quic;
using Microsoft.Extensions.Logging;

namespace HddFs.Peers.Rpc;

/// <summary>
/// Serves `ls` and `read` on the streams an admitted peer opens. One request per stream; a bad,
/// oversized or forbidden request fails that stream only (an error frame, or a reset once bytes
/// flowed) and the peer keeps being served. Requests run in parallel, at most
/// <see cref="PeerOptions.MaxConcurrentRequestsPerPeer"/> per peer (QUIC stream credit holds back the
/// rest on the peer's side: there is no global queue, a slow peer only slows itself). File bytes are
/// streamed from disk through one pooled chunk per transfer, so memory per request is bounded.
/// </summary>
internal sealed class RpcServer(ILocalShares shares, PeerOptions options, ILogger logger)
{
    /// <summary>Application error code on a stream reset because the source file changed or failed mid-transfer.</summary>
    public const long SourceFailedCode = 0x101;

    /// <summary>Application error code when the server gives up on a request (shutdown, stalled reader).</summary>
    public const long CancelledCode = 0x102;

    /// <summary>Accepts and serves streams until the connection ends or <paramref name="cancellationToken"/> fires.</summary>
    public async Task ServeAsync(QuicConnection connection, PeerId peer, CancellationToken cancellationToken)
    {
        using var slots = new SemaphoreSlim(options.MaxConcurrentRequestsPerPeer);
        var name = new PeerLabel(peer);
        var running = new List<Task>();
        while (!cancellationToken.IsCancellationRequested)
        {
            QuicStream stream;
            try
            {
                await slots.WaitAsync(cancellationToken);
                stream = await connection.AcceptInboundStreamAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is QuicException or OperationCanceledException or ObjectDisposedException)
            {
                break;
            }

            running.RemoveAll(t => t.IsCompleted);
            running.Add(ServeStreamAsync(stream, name, slots, cancellationToken));
        }

        await Task.WhenAll(running);
    }

    private async Task ServeStreamAsync(QuicStream stream, PeerLabel peer, SemaphoreSlim slots, CancellationToken cancellationToken)
    {
        await Task.Yield(); // never run a request inline on the accept loop
        try
        {
            await using (stream)
            {
                await HandleAsync(stream, peer, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is QuicException or OperationCanceledException or ObjectDisposedException)
        {
            Log.RequestFailed(logger, peer, ex.Message); // the peer went away or reset the stream
        }
        catch (Exception ex)
        {
            Log.ServeCrashed(logger, ex, peer);
            stream.Abort(QuicAbortDirection.Both, CancelledCode);
        }
        finally
        {
            slots.Release();
        }
    }

    private async Task HandleAsync(QuicStream stream, PeerLabel peer, CancellationToken cancellationToken)
    {
        Message? request;
        using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            deadline.CancelAfter(options.RequestTimeout * 2);
            try
            {
                request = await FrameReader.ReadAsync(stream, deadline.Token);
            }
            catch (ProtocolException ex)
            {
                Log.RequestFailed(logger, peer, ex.Message);
                await FailAsync(stream, new ErrorResponse(ErrorCodes.FromProtocolError(ex.Kind), ex.Message), cancellationToken);
                return;
            }
        }

        try
        {
            switch (request)
            {
                case LsRequest ls:
                    await ServeListingAsync(stream, ls, cancellationToken);
                    break;
                case ReadRequest read:
                    await ServeReadAsync(stream, read, cancellationToken);
                    break;
                case null:
                    stream.Abort(QuicAbortDirection.Write, CancelledCode);
                    break;
                default:
                    await FailAsync(stream, new ErrorResponse(ErrorCode.BadRequest, $"{request.Type} is not a request."), cancellationToken);
                    break;
            }
        }
        catch (RemoteShareException ex)
        {
            Log.RequestFailed(logger, peer, ex.Message);
            await FailAsync(stream, new ErrorResponse(ErrorCodes.FromRemoteError(ex.Error), ex.Message), cancellationToken);
        }
    }

    private async Task ServeListingAsync(QuicStream stream, LsRequest request, CancellationToken cancellationToken)
    {
        ulong total = 0;
        await using var pages = shares.ListAsync(request.ToQuery(), options.ListingPageSize, cancellationToken).GetAsyncEnumerator(cancellationToken);
        var sentAny = false;
        while (true)
        {
            bool more;
            try
            {
                more = await pages.MoveNextAsync();
            }
            catch (RemoteShareException) when (sentAny)
            {
                stream.Abort(QuicAbortDirection.Write, SourceFailedCode); // an error after pages: cut the listing short
                return;
            }

            if (!more)
            {
                break;
            }

            // A local page can exceed the wire's byte budget (long paths): split it.
            foreach (var page in LsPage.Split(pages.Current))
            {
                await FrameWriter.WriteAsync(stream, page, cancellationToken);
                total += (ulong)page.Entries.Count;
                sentAny = true;
            }
        }

        await FrameWriter.WriteAsync(stream, new LsEnd(total), cancellationToken);
        stream.CompleteWrites();
    }

    private async Task ServeReadAsync(QuicStream stream, ReadRequest request, CancellationToken cancellationToken)
    {
        var offset = request.Offset > long.MaxValue ? long.MaxValue : (long)request.Offset;
        var length = request.Length > long.MaxValue ? long.MaxValue : (long)request.Length;
        var (file, start, count) = ShareRange.Open(shares, request.Path, offset, length);
        using (file)
        {
            await FrameWriter.WriteAsync(stream, new ReadResponse((ulong)count), cancellationToken);
            var buffer = ArrayPool<byte>.Shared.Rent(options.TransferChunkSize);
            try
            {
                var position = start;
                var end = start + count;
                while (position < end)
                {
                    var want = (int)Math.Min(buffer.Length, end - position);
                    int n;
                    try
                    {
                        n = await RandomAccess.ReadAsync(file.SafeFileHandle, buffer.AsMemory(0, want), position, cancellationToken);
                    }
                    catch (IOException)
                    {
                        n = 0;
                    }

                    if (n == 0)
                    {
                        // The file shrank or failed after the header promised `count` bytes: reset,
                        // so the requester sees a failed transfer, never short or padded data.
                        stream.Abort(QuicAbortDirection.Write, SourceFailedCode);
                        return;
                    }

                    await stream.WriteAsync(buffer.AsMemory(0, n), cancellationToken);
                    position += n;
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        stream.CompleteWrites();
    }

    private static async Task FailAsync(QuicStream stream, ErrorResponse error, CancellationToken cancellationToken)
    {
        await FrameWriter.WriteAsync(stream, error, cancellationToken);
        stream.CompleteWrites();
    }
}

using HddFs.Core;
using HddFs.Protocol;
using HddFs.Quic;

namespace HddFs.Peers.Rpc;

/// <summary>
/// The one map from what can go wrong on a request (protocol garbage, QUIC failures, deadlines) to
/// the seam's <see cref="RemoteShareException"/>. The caller's own cancellation passes through.
/// </summary>
internal static class RpcErrors
{
    /// <summary>The exception to throw instead of <paramref name="ex"/>, or null to let it propagate.</summary>
    public static Exception? Translate(Exception ex, StallDeadline deadline, PeerId peer, CancellationToken caller) => ex switch
    {
        RemoteShareException => null,
        OperationCanceledException when caller.IsCancellationRequested => null,
        OperationCanceledException when deadline.TimedOut
            => new RemoteShareException(RemoteError.Timeout, $"{PeerName.Display(peer)} did not answer in time.", ex),
        ProtocolException p => ErrorCodes.ToException(p),
        QuicException { Error: QuicError.StreamAborted } q
            => new RemoteShareException(RemoteError.Internal, $"{PeerName.Display(peer)} aborted the transfer (code {q.ApplicationErrorCode}).", ex),
        QuicException q => new RemoteShareException(RemoteError.Unavailable, $"Connection to {PeerName.Display(peer)} lost: {q.Message}", ex),
        ObjectDisposedException => new RemoteShareException(RemoteError.Unavailable, $"Connection to {PeerName.Display(peer)} closed.", ex),
        IOException io => new RemoteShareException(RemoteError.Unavailable, $"Connection to {PeerName.Display(peer)} failed: {io.Message}", ex),
        _ => null,
    };
}

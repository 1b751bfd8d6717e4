using HddFs.Core;
using HddFs.Protocol;
using HddFs.Quic;

namespace HddFs.Peers.Connections;

/// <summary>
/// The first stream of every connection: both sides prove knowledge of shared topics, bound to both
/// keys and roles (see docs/protocol.md). The dialer opens the stream and sends its hello; the
/// acceptor answers with proofs for the topics that matched, or an error, and then closes the
/// connection if nothing matched. Until the exchange succeeds no request is served.
/// </summary>
internal static class HelloExchange
{
    /// <summary>Dialer side. Returns the topics in common; throws <see cref="HelloRefusedException"/>.</summary>
    public static async Task<IReadOnlyList<TopicKey>> AsClientAsync(QuicConnection connection, PeerId self, IReadOnlyCollection<TopicKey> topics, CancellationToken cancellationToken)
    {
        var peer = new PeerId(connection.PeerPublicKey.Span);
        var mine = TopicHandshake.CreateHello(topics, HelloRole.Client, self, peer);
        await using var stream = await connection.OpenBidirectionalStreamAsync(cancellationToken);
        await FrameWriter.WriteAsync(stream, mine, cancellationToken);
        stream.CompleteWrites();
        Hello theirs;
        try
        {
            theirs = Responses.ExpectHello(await FrameReader.ReadAsync(stream, cancellationToken));
            ProtocolVersion.Negotiate(mine, theirs);
        }
        catch (Exception ex) when (ex is ProtocolException or RemoteShareException)
        {
            throw new HelloRefusedException($"{PeerName.Display(peer)} refused us: {ex.Message}", ex);
        }

        var matched = TopicHandshake.MatchTopics(topics, theirs, HelloRole.Server, peer, self);
        return matched.Count > 0
            ? matched
            : throw new HelloRefusedException($"{PeerName.Display(peer)} proved no topic we joined.");
    }

    /// <summary>Acceptor side. Returns the topics in common; throws <see cref="HelloRefusedException"/>
    /// after telling the dialer why.</summary>
    public static async Task<IReadOnlyList<TopicKey>> AsServerAsync(QuicConnection connection, PeerId self, IReadOnlyCollection<TopicKey> topics, CancellationToken cancellationToken)
    {
        var peer = new PeerId(connection.PeerPublicKey.Span);
        await using var stream = await connection.AcceptInboundStreamAsync(cancellationToken);
        Hello theirs;
        try
        {
            theirs = Responses.ExpectHello(await FrameReader.ReadAsync(stream, cancellationToken));
        }
        catch (Exception ex) when (ex is ProtocolException or RemoteShareException)
        {
            await TryRefuseAsync(stream, ErrorCode.BadRequest, "Expected a hello.", cancellationToken);
            throw new HelloRefusedException($"{PeerName.Display(peer)} sent no valid hello: {ex.Message}", ex);
        }

        var mineTemplate = TopicHandshake.CreateHello([], HelloRole.Server, self, peer);
        if (!ProtocolVersion.TryNegotiate(mineTemplate, theirs, out _))
        {
            await TryRefuseAsync(stream, ErrorCode.UnsupportedVersion, $"This peer speaks protocol versions {ProtocolVersion.Minimum}..{ProtocolVersion.Current}.", cancellationToken);
            throw new HelloRefusedException($"{PeerName.Display(peer)} speaks versions {theirs.MinVersion}..{theirs.Version} only.");
        }

        var matched = TopicHandshake.MatchTopics(topics, theirs, HelloRole.Client, peer, self);
        if (matched.Count == 0)
        {
            await TryRefuseAsync(stream, ErrorCode.Forbidden, "No topic in common.", cancellationToken);
            throw new HelloRefusedException($"{PeerName.Display(peer)} proved no topic we joined.");
        }

        await FrameWriter.WriteAsync(stream, TopicHandshake.CreateHello(matched, HelloRole.Server, self, peer), cancellationToken);
        stream.CompleteWrites();
        return matched;
    }

    private static async Task TryRefuseAsync(QuicStream stream, ErrorCode code, string message, CancellationToken cancellationToken)
    {
        try
        {
            await FrameWriter.WriteAsync(stream, new ErrorResponse(code, message), cancellationToken);
            stream.CompleteWrites();
        }
        catch (Exception ex) when (ex is QuicException or OperationCanceledException)
        {
            // The dialer is gone already; nothing to tell.
        }
    }
}

/// <summary>The hello exchange failed: no common topic, no common version, or garbage.</summary>
public sealed class HelloRefusedException : Exception
{
    public HelloRefusedException()
    {
    }

    public HelloRefusedException(string message)
        : base(message)
    {
    }

    public HelloRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

using HddFs.Core;
using HddFs.Quic;

namespace HddFs.Peers.Connections;

/// <summary>An admitted connection: the hello succeeded and the peer shares at least one topic with us.</summary>
public sealed class PeerConnection(QuicConnection quic, PeerId peer, bool weDialed, IReadOnlyList<TopicKey> topics, DateTimeOffset established)
{
    public QuicConnection Quic { get; } = quic;

    public PeerId Peer { get; } = peer;

    /// <summary>True when this side dialed (QUIC client).</summary>
    public bool WeDialed { get; } = weDialed;

    /// <summary>Topics both sides proved knowledge of.</summary>
    public IReadOnlyList<TopicKey> Topics { get; } = topics;

    public DateTimeOffset Established { get; } = established;
}

using System.Net;
using HddFs.Core;

namespace HddFs.Peers.Connections;

/// <summary>A peer's state at one instant, for `hddfs peers` and the control API.</summary>
public sealed record PeerSnapshot(
    PeerId Id,
    bool Connected,
    bool Visible,
    IPEndPoint? RemoteEndPoint,
    IReadOnlyList<TopicKey> Topics,
    IReadOnlyList<string> Sources,
    DateTimeOffset? DisconnectedSince,
    bool? WeDialed);

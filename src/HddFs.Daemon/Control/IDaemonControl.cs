using HddFs.Core;

namespace HddFs.Daemon.Control;

/// <summary>
/// What the control API (Unix socket for the local CLI; HTTP/WebSocket for remote use later) can ask
/// of a running daemon. The daemon implements it; tests use a fake. All methods are thread-safe.
/// Failures: <see cref="ControlException"/> for control-level errors (unknown peer, bad argument),
/// <see cref="RemoteShareException"/> for failures of a peer's shares.
/// </summary>
public interface IDaemonControl
{
    IdentityInfo Identity { get; }

    IReadOnlyList<PeerStatus> GetPeers();

    IReadOnlyList<ShareInfo> GetShares();

    Task<ShareInfo> AddShareAsync(string directory, CancellationToken cancellationToken);

    Task RemoveShareAsync(string name, CancellationToken cancellationToken);

    IReadOnlyList<TopicInfo> GetTopics();

    Task<TopicInfo> JoinTopicAsync(string name, CancellationToken cancellationToken);

    Task LeaveTopicAsync(string name, CancellationToken cancellationToken);

    /// <summary>The shares of a peer named by display name, unique key prefix, or full key (self included).</summary>
    IRemoteShares ResolvePeer(string nameOrKey);
}

public sealed record IdentityInfo(string Name, string Fingerprint, string Key);

/// <summary>A peer as `hddfs peers` shows it. For this node (<see cref="Self"/>), <see cref="Address"/> is the
/// public UDP endpoint STUN observed (or the local one when unknown) and <see cref="Nat"/> the NAT type.</summary>
public sealed record PeerStatus(
    string Name,
    string Key,
    bool Self,
    bool Connected,
    string? Address,
    IReadOnlyList<string> Topics,
    IReadOnlyList<string> Sources,
    string? Nat = null);

public sealed record ShareInfo(string Name, string Path, long Bytes);

public sealed record TopicInfo(string Name, string RendezvousId);

/// <summary>One listing entry as the control API sends it (NDJSON line).</summary>
public sealed record EntryInfo(string Path, string Name, long Size, bool Directory, long Modified);

/// <summary>An error body: a stable code for scripts and a message for humans.</summary>
public sealed record ErrorInfo(string Code, string Message);

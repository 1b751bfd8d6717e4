namespace HddFs.Core;

/// <summary>A peer as the mount and the CLI show it.</summary>
/// <param name="Id">The trusted key.</param>
/// <param name="Name">Display name (derived from the key, see <see cref="PeerName"/>); never trusted.</param>
/// <param name="IsSelf">Our own shares, served locally.</param>
/// <param name="IsConnected">False while a peer that dropped is within its grace period.</param>
public sealed record PeerInfo(PeerId Id, string Name, bool IsSelf, bool IsConnected);

/// <summary>
/// The peers currently visible (self included), across all joined topics, each once.
/// Implemented by the daemon's connection manager; faked in tests.
/// </summary>
public interface IParty
{
    IReadOnlyList<PeerInfo> Peers { get; }

    /// <summary>Raised (on any thread) after <see cref="Peers"/> changed.</summary>
    event EventHandler? Changed;

    /// <summary>The shares of a visible peer, or null when the peer is unknown.</summary>
    IRemoteShares? GetShares(PeerId peer);
}

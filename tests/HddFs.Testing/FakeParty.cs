using HddFs.Core;

namespace HddFs.Testing;

/// <summary>
/// A party for tests: peers added, renamed, disconnected and removed by hand; <see cref="Changed"/> is
/// raised synchronously after every change. Thread-safe.
/// </summary>
public sealed class FakeParty : IParty
{
    private readonly Lock _lock = new();

    // guarded by _lock
    private readonly List<PeerInfo> _peers = [];
    private readonly Dictionary<PeerId, IRemoteShares> _shares = [];

    // atomics
    private int _getSharesCalls;

    public event EventHandler? Changed;

    public IReadOnlyList<PeerInfo> Peers
    {
        get
        {
            lock (_lock)
            {
                return _peers.ToList();
            }
        }
    }

    /// <summary>Times <see cref="GetShares"/> was called.</summary>
    public int GetSharesCalls => Volatile.Read(ref _getSharesCalls);

    public IRemoteShares? GetShares(PeerId peer)
    {
        Interlocked.Increment(ref _getSharesCalls);
        lock (_lock)
        {
            return _shares.GetValueOrDefault(peer);
        }
    }

    /// <summary>Adds (or replaces) a peer; the name defaults to <see cref="PeerName.For"/> of its key.</summary>
    public PeerInfo Add(IRemoteShares shares, string? name = null, bool isSelf = false, bool isConnected = true)
    {
        ArgumentNullException.ThrowIfNull(shares);
        var info = new PeerInfo(shares.Peer, name ?? PeerName.For(shares.Peer), isSelf, isConnected);
        lock (_lock)
        {
            _peers.RemoveAll(p => p.Id == info.Id);
            _peers.Add(info);
            _shares[info.Id] = shares;
        }

        Changed?.Invoke(this, EventArgs.Empty);
        return info;
    }

    public void SetConnected(PeerId peer, bool isConnected) => Update(peer, p => p with { IsConnected = isConnected });

    public void Rename(PeerId peer, string name) => Update(peer, p => p with { Name = name });

    /// <summary>The peer leaves the party (its grace period is over).</summary>
    public bool Remove(PeerId peer)
    {
        bool removed;
        lock (_lock)
        {
            removed = _peers.RemoveAll(p => p.Id == peer) > 0;
            _shares.Remove(peer);
        }

        if (removed)
        {
            Changed?.Invoke(this, EventArgs.Empty);
        }

        return removed;
    }

    private void Update(PeerId peer, Func<PeerInfo, PeerInfo> change)
    {
        lock (_lock)
        {
            var index = _peers.FindIndex(p => p.Id == peer);
            if (index < 0)
            {
                throw new InvalidOperationException($"No peer {peer.Fingerprint}.");
            }

            _peers[index] = change(_peers[index]);
        }

        Changed?.Invoke(this, EventArgs.Empty);
    }
}

using HddFs.Core;
using HddFs.Daemon.Control;
using HddFs.Peers.Connections;
using HddFs.Shares;

namespace HddFs.Daemon;

/// <summary>
/// The running daemon as the control API sees it. Peers are named by display name (or the
/// "name-fingerprint" form the mount uses when names collide), a unique key prefix, or the full key.
/// </summary>
internal sealed class DaemonControl(
    IdentityInfo identity,
    ConnectionManager connections,
    ShareIndex shares,
    TopicStore topics,
    Action<IReadOnlyList<TopicKey>> topicsChanged,
    Func<(string Address, string Nat)> selfNetwork) : IDaemonControl
{
    public IdentityInfo Identity => identity;

    public IReadOnlyList<PeerStatus> GetPeers()
    {
        var snapshots = connections.Snapshot().ToDictionary(s => s.Id);
        return connections.Peers
            .Select(p =>
            {
                snapshots.TryGetValue(p.Id, out var s);
                if (p.IsSelf)
                {
                    var (address, nat) = selfNetwork();
                    return new PeerStatus(p.Name, p.Id.ToHex(), true, true, address, GetTopics().Select(t => t.Name).ToList(), [], nat);
                }

                return new PeerStatus(
                    p.Name,
                    p.Id.ToHex(),
                    p.IsSelf,
                    p.IsConnected,
                    s?.RemoteEndPoint?.ToString(),
                    s?.Topics.Select(t => t.Name).ToList() ?? [],
                    s?.Sources ?? []);
            })
            .ToList();
    }

    public IReadOnlyList<ShareInfo> GetShares()
        => shares.Shares
            .OrderBy(s => s.Key, StringComparer.Ordinal)
            .Select(s => new ShareInfo(s.Key, s.Value, shares.GetEntry(SharePath.Parse(s.Key))?.Size ?? 0))
            .ToList();

    public async Task<ShareInfo> AddShareAsync(string directory, CancellationToken cancellationToken)
    {
        string name;
        try
        {
            name = await shares.AddShareAsync(directory, cancellationToken);
        }
        catch (Exception ex) when (ex is DirectoryNotFoundException or UnauthorizedAccessException or ArgumentException or IOException)
        {
            throw new ControlException(ControlError.BadRequest, $"Cannot share {directory}: {ex.Message}", ex);
        }

        return GetShares().First(s => s.Name == name);
    }

    public async Task RemoveShareAsync(string name, CancellationToken cancellationToken)
    {
        if (!await shares.RemoveShareAsync(name, cancellationToken))
        {
            throw new ControlException(ControlError.NotFound, $"No share named '{name}'. See `hddfs shares`.");
        }
    }

    public IReadOnlyList<TopicInfo> GetTopics() => topics.Topics.Select(t => new TopicInfo(t.Name, t.RendezvousId)).ToList();

    public Task<TopicInfo> JoinTopicAsync(string name, CancellationToken cancellationToken)
    {
        TopicKey key;
        try
        {
            key = topics.Join(name);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            throw new ControlException(ControlError.BadRequest, ex.Message, ex);
        }

        topicsChanged(topics.Topics);
        return Task.FromResult(new TopicInfo(key.Name, key.RendezvousId));
    }

    public Task LeaveTopicAsync(string name, CancellationToken cancellationToken)
    {
        if (!topics.Leave(name))
        {
            throw new ControlException(ControlError.NotFound, $"Not in topic '{name}'.");
        }

        topicsChanged(topics.Topics);
        return Task.CompletedTask;
    }

    public IRemoteShares ResolvePeer(string nameOrKey)
    {
        var id = PeerResolver.Resolve(nameOrKey, connections.Peers);
        return connections.GetShares(id)
            ?? throw new ControlException(ControlError.UnknownPeer, $"{PeerName.Display(id)} is not in the party.");
    }
}

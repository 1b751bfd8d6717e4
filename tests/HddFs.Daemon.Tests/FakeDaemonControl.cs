using HddFs.Core;
using HddFs.Daemon.Control;

namespace HddFs.Daemon.Tests;

/// <summary>An in-memory daemon behind the control API: one remote peer backed by <see cref="Testing.FakeRemoteShares"/>.</summary>
internal sealed class FakeDaemonControl(IRemoteShares peerShares, PeerInfo peer) : IDaemonControl
{
    private readonly List<ShareInfo> _shares = [new("Music", "/srv/music", 1234)];
    private readonly List<TopicInfo> _topics = [new("foo", TopicKey.FromName("foo").RendezvousId)];

    public IdentityInfo Identity { get; } = new("brave-otter", "01020304", new string('a', 64));

    public IReadOnlyList<PeerStatus> GetPeers()
        => [new PeerStatus(peer.Name, peer.Id.ToHex(), false, true, "127.0.0.1:4000", ["foo"], ["manual"])];

    public IReadOnlyList<ShareInfo> GetShares() => [.. _shares];

    public Task<ShareInfo> AddShareAsync(string directory, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(directory))
        {
            throw new ControlException(ControlError.BadRequest, $"Cannot share {directory}: it does not exist.");
        }

        var share = new ShareInfo(Path.GetFileName(directory), directory, 0);
        _shares.Add(share);
        return Task.FromResult(share);
    }

    public Task RemoveShareAsync(string name, CancellationToken cancellationToken)
        => _shares.RemoveAll(s => s.Name == name) > 0 ? Task.CompletedTask : throw new ControlException(ControlError.NotFound, $"No share named '{name}'.");

    public IReadOnlyList<TopicInfo> GetTopics() => [.. _topics];

    public Task<TopicInfo> JoinTopicAsync(string name, CancellationToken cancellationToken)
    {
        var topic = new TopicInfo(name, TopicKey.FromName(name).RendezvousId);
        _topics.Add(topic);
        return Task.FromResult(topic);
    }

    public Task LeaveTopicAsync(string name, CancellationToken cancellationToken)
        => _topics.RemoveAll(t => t.Name == name) > 0 ? Task.CompletedTask : throw new ControlException(ControlError.NotFound, $"Not in topic '{name}'.");

    public IRemoteShares ResolvePeer(string nameOrKey) => PeerResolver.Resolve(nameOrKey, [peer]) == peer.Id ? peerShares : throw new InvalidOperationException();
}

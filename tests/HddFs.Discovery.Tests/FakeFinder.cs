using System.Net;
using System.Threading.Channels;
using HddFs.Core;

namespace HddFs.Discovery.Tests;

/// <summary>A finder the test drives by hand; records what the manager told it.</summary>
internal sealed class FakeFinder(string name = "fake", bool throwOnStart = false) : IPeerFinder
{
    private readonly Channel<DiscoveryEvent> _events = Channel.CreateBounded<DiscoveryEvent>(64);

    public string Name => name;

    public string Status => Started ? "started" : "idle";

    public bool Started { get; private set; }

    public bool Disposed { get; private set; }

    public IReadOnlyCollection<TopicKey> Topics { get; private set; } = [];

    public LocalAnnouncement? Info { get; private set; }

    public ChannelReader<DiscoveryEvent> Events => _events.Reader;

    public ValueTask StartAsync(CancellationToken cancellationToken)
    {
        Started = true;
        return throwOnStart ? throw new InvalidOperationException("boom") : ValueTask.CompletedTask;
    }

    public void SetTopics(IReadOnlyCollection<TopicKey> topics) => Topics = topics;

    public void SetLocalInfo(LocalAnnouncement info) => Info = info;

    public ValueTask PushAsync(DiscoveryEvent e) => _events.Writer.WriteAsync(e);

    public ValueTask DisposeAsync()
    {
        Disposed = true;
        _events.Writer.TryComplete();
        return ValueTask.CompletedTask;
    }

    public static DiscoveredPeer Found(PeerId peer, TopicKey topic, DiscoverySource source, string endpoint, TimeSpan? validFor = null, DateTimeOffset? announcedAt = null)
        => new(peer, topic, [IPEndPoint.Parse(endpoint)], source, NatType.Cone, DateTimeOffset.UtcNow, validFor ?? TimeSpan.FromMinutes(2))
        {
            AnnouncedAt = announcedAt ?? DateTimeOffset.UtcNow,
        };
}

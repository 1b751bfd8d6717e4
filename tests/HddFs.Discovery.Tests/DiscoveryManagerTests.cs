using System.Net;
using HddFs.Core;

namespace HddFs.Discovery.Tests;

public sealed class DiscoveryManagerTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);
    private static readonly TopicKey Music = TopicKey.FromName("music");
    private static readonly TopicKey Movies = TopicKey.FromName("movies");
    private readonly FakeFinder _mqtt = new("mqtt");
    private readonly FakeFinder _mdns = new("mdns");
    private readonly DiscoveryManager _manager;
    private readonly PeerId _alice = RandomPeer();
    private readonly PeerId _bob = RandomPeer();

    public DiscoveryManagerTests() => _manager = new DiscoveryManager([_mqtt, _mdns]);

    public async Task InitializeAsync()
    {
        _manager.SetTopics([Music, Movies]);
        await _manager.StartAsync(default);
    }

    [Fact]
    public void SetTopicsAndLocalInfo_ReachEveryFinder()
    {
        var info = new LocalAnnouncement(4433, [IPAddress.Parse("10.0.0.1")]);
        _manager.SetLocalInfo(info);

        Assert.True(_mqtt.Started && _mdns.Started);
        Assert.Equal(2, _mqtt.Topics.Count);
        Assert.Same(info, _mdns.Info);
    }

    [Fact]
    public async Task SameSightingRepeated_OneEventOnly_ChangeEmitsAgain()
    {
        await _mqtt.PushAsync(FakeFinder.Found(_alice, Music, DiscoverySource.Mqtt, "10.0.0.1:1"));
        await _mqtt.PushAsync(FakeFinder.Found(_alice, Music, DiscoverySource.Mqtt, "10.0.0.1:1"));
        await _mqtt.PushAsync(FakeFinder.Found(_alice, Music, DiscoverySource.Mqtt, "10.0.0.1:1"));
        await _mqtt.PushAsync(FakeFinder.Found(_alice, Music, DiscoverySource.Mqtt, "10.0.0.9:1"));

        var first = await EventAssert.NextAsync<DiscoveredPeer>(_manager.Events, _ => true, Patience, "first sighting");
        var changed = await EventAssert.NextAsync<DiscoveredPeer>(_manager.Events, _ => true, Patience, "changed endpoint");
        Assert.Equal("10.0.0.1:1", Assert.Single(first.Endpoints).ToString());
        Assert.Equal("10.0.0.9:1", Assert.Single(changed.Endpoints).ToString());
        Assert.Empty(await EventAssert.NoneAsync(_manager.Events, _ => true, TimeSpan.FromMilliseconds(300), "more events"));
    }

    [Fact]
    public async Task SamePeerTwoTopics_TwoEntries()
    {
        await _mqtt.PushAsync(FakeFinder.Found(_alice, Music, DiscoverySource.Mqtt, "10.0.0.1:1"));
        await _mqtt.PushAsync(FakeFinder.Found(_alice, Movies, DiscoverySource.Mqtt, "10.0.0.1:1"));

        await EventAssert.NextAsync<DiscoveredPeer>(_manager.Events, p => p.Topic == Music, Patience, "music");
        await EventAssert.NextAsync<DiscoveredPeer>(_manager.Events, p => p.Topic == Movies, Patience, "movies");
        Assert.Equal(2, _manager.Snapshot().Count);
    }

    [Fact]
    public async Task TwoSources_EndpointsMergedLanFirst()
    {
        await _mqtt.PushAsync(FakeFinder.Found(_alice, Music, DiscoverySource.Mqtt, "203.0.113.5:7000"));
        await EventAssert.NextAsync<DiscoveredPeer>(_manager.Events, _ => true, Patience, "mqtt sighting");
        await _mdns.PushAsync(FakeFinder.Found(_alice, Music, DiscoverySource.Mdns, "192.168.1.5:4433"));

        var merged = await EventAssert.NextAsync<DiscoveredPeer>(_manager.Events, _ => true, Patience, "merged sighting");

        Assert.Equal(DiscoverySource.Mdns, merged.Source);
        Assert.Equal(["192.168.1.5:4433", "203.0.113.5:7000"], merged.Endpoints.Select(e => e.ToString()));
        Assert.Single(_manager.Snapshot());
    }

    [Fact]
    public async Task Goodbye_Departs_StaleInFlightAnnouncementIgnored_NewerRediscovers()
    {
        var t0 = DateTimeOffset.UtcNow;
        await _mqtt.PushAsync(FakeFinder.Found(_alice, Music, DiscoverySource.Mqtt, "10.0.0.1:1", announcedAt: t0));
        await EventAssert.NextAsync<DiscoveredPeer>(_manager.Events, _ => true, Patience, "sighting");

        await _mqtt.PushAsync(new DepartedPeer(_alice, Music, DiscoverySource.Mqtt, DepartureReason.Goodbye, DateTimeOffset.UtcNow) { AnnouncedAt = t0.AddSeconds(1) });
        var gone = await EventAssert.NextAsync<DepartedPeer>(_manager.Events, _ => true, Patience, "departure");
        Assert.Equal(DepartureReason.Goodbye, gone.Reason);

        // mDNS announcement sent before the goodbye, delivered after it: ignored.
        await _mdns.PushAsync(FakeFinder.Found(_alice, Music, DiscoverySource.Mdns, "10.0.0.1:1", announcedAt: t0.AddMilliseconds(500)));
        await EventAssert.NoneAsync(_manager.Events, _ => true, TimeSpan.FromMilliseconds(300), "a resurrection from an older announcement");

        // Its other mechanism, still answering during the shutdown (stamped just after the goodbye): ignored.
        await _mdns.PushAsync(FakeFinder.Found(_alice, Music, DiscoverySource.Mdns, "10.0.0.1:1", announcedAt: t0.AddSeconds(1.5)));
        await EventAssert.NoneAsync(_manager.Events, _ => true, TimeSpan.FromMilliseconds(300), "a resurrection during the shutdown");

        // The peer restarts later: found again.
        await _mdns.PushAsync(FakeFinder.Found(_alice, Music, DiscoverySource.Mdns, "10.0.0.1:1", announcedAt: t0.AddSeconds(5)));
        await EventAssert.NextAsync<DiscoveredPeer>(_manager.Events, _ => true, Patience, "rediscovery");
    }

    [Fact]
    public async Task Goodbye_SameSourceAnnouncesRightAfter_Rediscovers()
    {
        // Same mechanism is ordered: a leave-and-rejoin 100 ms later is real.
        var t0 = DateTimeOffset.UtcNow;
        await _mqtt.PushAsync(FakeFinder.Found(_alice, Music, DiscoverySource.Mqtt, "10.0.0.1:1", announcedAt: t0));
        await _mqtt.PushAsync(new DepartedPeer(_alice, Music, DiscoverySource.Mqtt, DepartureReason.Goodbye, DateTimeOffset.UtcNow) { AnnouncedAt = t0.AddSeconds(1) });
        await _mqtt.PushAsync(FakeFinder.Found(_alice, Music, DiscoverySource.Mqtt, "10.0.0.1:1", announcedAt: t0.AddSeconds(1.1)));

        await EventAssert.NextAsync<DiscoveredPeer>(_manager.Events, _ => true, Patience, "sighting");
        await EventAssert.NextAsync<DepartedPeer>(_manager.Events, _ => true, Patience, "goodbye");
        await EventAssert.NextAsync<DiscoveredPeer>(_manager.Events, _ => true, Patience, "rejoin");
    }

    [Fact]
    public async Task NoRefreshWithinValidity_Expires()
    {
        await _mqtt.PushAsync(FakeFinder.Found(_alice, Music, DiscoverySource.Mqtt, "10.0.0.1:1", validFor: TimeSpan.FromMilliseconds(400)));
        await EventAssert.NextAsync<DiscoveredPeer>(_manager.Events, _ => true, Patience, "sighting");

        var gone = await EventAssert.NextAsync<DepartedPeer>(_manager.Events, _ => true, TimeSpan.FromSeconds(2), "expiry");

        Assert.Equal(DepartureReason.Expired, gone.Reason);
        Assert.Empty(_manager.Snapshot());
    }

    [Fact]
    public async Task OneSourceExpires_OtherKeepsPeer_EndpointsShrink()
    {
        await _mdns.PushAsync(FakeFinder.Found(_alice, Music, DiscoverySource.Mdns, "192.168.1.5:1", validFor: TimeSpan.FromMilliseconds(400)));
        await _mqtt.PushAsync(FakeFinder.Found(_alice, Music, DiscoverySource.Mqtt, "203.0.113.5:1"));
        await EventAssert.NextAsync<DiscoveredPeer>(_manager.Events, p => p.Endpoints.Count == 2, Patience, "merged");

        var shrunk = await EventAssert.NextAsync<DiscoveredPeer>(_manager.Events, _ => true, TimeSpan.FromSeconds(2), "mdns part expiring");

        Assert.Equal("203.0.113.5:1", Assert.Single(shrunk.Endpoints).ToString());
    }

    [Fact]
    public async Task LeaveTopic_EntriesDepartAsTopicLeft_LateSightingsIgnored()
    {
        await _mqtt.PushAsync(FakeFinder.Found(_alice, Music, DiscoverySource.Mqtt, "10.0.0.1:1"));
        await _mqtt.PushAsync(FakeFinder.Found(_bob, Movies, DiscoverySource.Mqtt, "10.0.0.2:1"));
        await EventAssert.NextAsync<DiscoveredPeer>(_manager.Events, p => p.Peer == _bob, Patience, "bob");

        _manager.SetTopics([Movies]);

        var gone = await EventAssert.NextAsync<DepartedPeer>(_manager.Events, _ => true, Patience, "alice leaving with the topic");
        Assert.Equal((_alice, DepartureReason.TopicLeft), (gone.Peer, gone.Reason));
        Assert.Equal(Movies, Assert.Single(_mqtt.Topics));
        await _mqtt.PushAsync(FakeFinder.Found(_alice, Music, DiscoverySource.Mqtt, "10.0.0.1:1"));
        await EventAssert.NoneAsync(_manager.Events, _ => true, TimeSpan.FromMilliseconds(300), "sighting on a left topic");
    }

    [Fact]
    public async Task ManualReport_MergedLikeAFinder()
    {
        await _manager.ReportAsync(FakeFinder.Found(_alice, Music, DiscoverySource.Manual, "198.51.100.4:4433"), default);

        var found = await EventAssert.NextAsync<DiscoveredPeer>(_manager.Events, _ => true, Patience, "manual peer");
        Assert.Equal(DiscoverySource.Manual, found.Source);
    }

    [Fact]
    public async Task MoreThanMaxEntries_ExtraIgnored()
    {
        await using var small = new DiscoveryManager([], maxEntries: 2);
        small.SetTopics([Music]);
        await small.StartAsync(default);
        for (var i = 0; i < 5; i++)
        {
            await small.ReportAsync(FakeFinder.Found(RandomPeer(), Music, DiscoverySource.Manual, $"10.0.0.{i + 1}:1"), default);
        }

        await EventAssert.NextAsync<DiscoveredPeer>(small.Events, _ => true, Patience, "first");
        await EventAssert.NextAsync<DiscoveredPeer>(small.Events, _ => true, Patience, "second");
        await EventAssert.NoneAsync(small.Events, _ => true, TimeSpan.FromMilliseconds(300), "a third entry");
        Assert.Equal(2, small.Snapshot().Count);
    }

    [Fact]
    public async Task FinderThrowingOnStart_OthersStillRun()
    {
        var broken = new FakeFinder("broken", throwOnStart: true);
        var fine = new FakeFinder("fine");
        await using var manager = new DiscoveryManager([broken, fine]);
        manager.SetTopics([Music]);

        await manager.StartAsync(default);
        await fine.PushAsync(FakeFinder.Found(_alice, Music, DiscoverySource.Mdns, "10.0.0.1:1"));

        await EventAssert.NextAsync<DiscoveredPeer>(manager.Events, _ => true, Patience, "event from the working finder");
    }

    [Fact]
    public async Task Dispose_DisposesFindersAndCompletesEvents()
    {
        await _manager.DisposeAsync();

        Assert.True(_mqtt.Disposed && _mdns.Disposed);
        Assert.False(await _manager.Events.WaitToReadAsync());
    }

    private static PeerId RandomPeer()
    {
        var bytes = new byte[32];
        Random.Shared.NextBytes(bytes);
        return new PeerId(bytes);
    }

    public async Task DisposeAsync() => await _manager.DisposeAsync();
}

using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using HddFs.Core;
using HddFs.Discovery.Announcements;
using HddFs.Discovery.Mqtt;
using HddFs.Testing;
using MQTTnet;
using MQTTnet.Formatter;
using Xunit.Abstractions;

namespace HddFs.Discovery.Tests;

/// <summary>The MQTT finder against a real mosquitto on 127.0.0.1 (one private broker per test).</summary>
public sealed class MqttPeerFinderTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly List<IAsyncDisposable> _disposables = [];
    private readonly List<TestSigner> _signers = [];
    private int _port = 40000;

    private readonly List<MosquittoFixture> _brokers = [];

    /// <summary>Registers a broker whose log is written to the test output at the end.</summary>
    private MosquittoFixture Track(MosquittoFixture broker)
    {
        _brokers.Add(broker);
        return broker;
    }

    private MqttPeerFinder NewFinder(string url, TopicKey[] topics, TimeSpan? interval = null, X509Certificate2Collection? trusted = null, string name = "")
    {
        var signer = new TestSigner();
        _signers.Add(signer);
        var options = new MqttFinderOptions
        {
            BrokerUrl = new Uri(url),
            AnnounceInterval = interval ?? TimeSpan.FromSeconds(60),
            ReconnectInitialDelay = TimeSpan.FromMilliseconds(100),
            ReconnectMaxDelay = TimeSpan.FromMilliseconds(500),
            ConnectTimeout = TimeSpan.FromSeconds(3),
            TrustedCertificates = trusted,
        };
        var finder = new MqttPeerFinder(options, signer, TimeProvider.System, new TestOutputLogger<MqttPeerFinder>(output, name + " "));
        finder.SetTopics(topics);
        finder.SetLocalInfo(new LocalAnnouncement(++_port, [IPAddress.Parse("10.1.2.3")], NatType.Cone, new IPEndPoint(IPAddress.Parse("198.51.100.1"), _port)));
        _disposables.Add(finder);
        return finder;
    }

    [SystemFact(Needs.Mosquitto)]
    public async Task TwoFinders_SameTopic_DiscoverEachOther()
    {
        using var broker = Track(new MosquittoFixture());
        var topic = TopicKey.FromName("music");
        var a = NewFinder(broker.Url, [topic], name: "a");
        var b = NewFinder(broker.Url, [topic], name: "b");
        var clock = Stopwatch.StartNew();

        await a.StartAsync(default);
        await b.StartAsync(default);
        var aSeesB = await EventAssert.NextAsync<DiscoveredPeer>(a.Events, p => p.Peer == _signers[1].Id, Patience, "a to see b");
        var bSeesA = await EventAssert.NextAsync<DiscoveredPeer>(b.Events, p => p.Peer == _signers[0].Id, Patience, "b to see a");
        output.WriteLine($"MQTT mutual discovery (both starting cold) took {clock.ElapsedMilliseconds} ms");

        Assert.Equal(topic, bSeesA.Topic);
        Assert.Equal(DiscoverySource.Mqtt, bSeesA.Source);
        Assert.Equal(NatType.Cone, bSeesA.Nat);
        Assert.Equal(["10.1.2.3:40001", "198.51.100.1:40001"], bSeesA.Endpoints.Select(e => e.ToString()));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("198.51.100.1"), 40001), bSeesA.PublicEndPoint);
        Assert.Equal(TimeSpan.FromSeconds(120), bSeesA.ValidFor);
        Assert.Equal(_signers[1].Id, aSeesB.Peer);
    }

    [SystemFact(Needs.Mosquitto)]
    public async Task LateJoiner_PeerAlreadyAnnounced_FoundAtOnceFromRetainedMessage()
    {
        using var broker = Track(new MosquittoFixture());
        var topic = TopicKey.FromName("music");
        var early = NewFinder(broker.Url, [topic], interval: TimeSpan.FromMinutes(10), name: "early");
        var witness = NewFinder(broker.Url, [topic], name: "witness");
        await early.StartAsync(default);
        await witness.StartAsync(default);
        // The witness seeing the early peer proves its announcement is on the broker.
        await EventAssert.NextAsync<DiscoveredPeer>(witness.Events, p => p.Peer == _signers[0].Id, Patience, "witness to see early");

        var late = NewFinder(broker.Url, [topic], name: "late");
        var clock = Stopwatch.StartNew();
        await late.StartAsync(default);
        await EventAssert.NextAsync<DiscoveredPeer>(late.Events, p => p.Peer == _signers[0].Id, TimeSpan.FromSeconds(3), "late joiner to see early peer");
        output.WriteLine($"MQTT late joiner found a running peer {clock.ElapsedMilliseconds} ms after start (its next re-announce is 10 min away)");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3));
    }

    [SystemFact(Needs.Mosquitto)]
    public async Task OtherTopic_PeerAnnouncing_IsNeverSeen()
    {
        using var broker = Track(new MosquittoFixture());
        var music = TopicKey.FromName("music");
        var movies = TopicKey.FromName("movies");
        var musician = NewFinder(broker.Url, [music], interval: TimeSpan.FromMilliseconds(300), name: "musician");
        var fan = NewFinder(broker.Url, [music], name: "fan");
        var cinephile = NewFinder(broker.Url, [movies], name: "cinephile");
        await musician.StartAsync(default);
        await fan.StartAsync(default);
        await cinephile.StartAsync(default);

        await EventAssert.NextAsync<DiscoveredPeer>(fan.Events, p => p.Peer == _signers[0].Id, Patience, "fan to see musician");
        await EventAssert.NoneAsync(cinephile.Events, _ => true, TimeSpan.FromSeconds(1.5), "event on another topic");
    }

    [SystemFact(Needs.Mosquitto)]
    public async Task BrokerRestart_MidRun_FinderReconnectsAndDiscoveryResumes()
    {
        using var broker = Track(new MosquittoFixture());
        var topic = TopicKey.FromName("music");
        var a = NewFinder(broker.Url, [topic], name: "a");
        var b = NewFinder(broker.Url, [topic], name: "b");
        await a.StartAsync(default);
        await b.StartAsync(default);
        await EventAssert.NextAsync<DiscoveredPeer>(b.Events, p => p.Peer == _signers[0].Id, Patience, "b to see a");

        broker.Stop(); // a crash: retained messages are gone (no persistence)
        await Eventually.TrueAsync(() => !a.IsConnected && !a.Status.Contains("connected to", StringComparison.Ordinal), Patience, "a to notice the broker is gone");
        var restartedAt = DateTimeOffset.UtcNow;
        broker.Start();

        // a re-announces on reconnect (fresh timestamp), b re-subscribes and hears it.
        var again = await EventAssert.NextAsync<DiscoveredPeer>(b.Events, p => p.Peer == _signers[0].Id, Patience, "b to hear a again after the restart");
        Assert.True(again.Seen >= restartedAt);
        Assert.True(a.IsConnected);

        // And a newcomer after the restart is found by both.
        var c = NewFinder(broker.Url, [topic], name: "c");
        await c.StartAsync(default);
        await EventAssert.NextAsync<DiscoveredPeer>(a.Events, p => p.Peer == _signers[2].Id, Patience, "a to see newcomer c");
        await EventAssert.NextAsync<DiscoveredPeer>(c.Events, p => p.Peer == _signers[1].Id, Patience, "c to see b");
    }

    [SystemFact(Needs.Mosquitto)]
    public async Task BrokerUnreachableAtStart_StartReturnsPromptly_ConnectsWhenBrokerAppears()
    {
        using var broker = Track(new MosquittoFixture(start: false));
        var topic = TopicKey.FromName("music");
        var a = NewFinder(broker.Url, [topic], name: "a");
        var b = NewFinder(broker.Url, [topic], name: "b");

        var clock = Stopwatch.StartNew();
        await a.StartAsync(default);
        await b.StartAsync(default);
        Assert.True(clock.Elapsed < TimeSpan.FromMilliseconds(500), $"StartAsync took {clock.ElapsedMilliseconds} ms");

        await Eventually.TrueAsync(() => a.Status.Contains("unreachable", StringComparison.Ordinal), Patience, "a to report the broker unreachable");
        Assert.False(a.IsConnected);

        broker.Start();
        await EventAssert.NextAsync<DiscoveredPeer>(a.Events, p => p.Peer == _signers[1].Id, Patience, "a to see b once the broker is up");
        Assert.StartsWith("connected", a.Status, StringComparison.Ordinal);
    }

    [SystemFact(Needs.Mosquitto)]
    public async Task CleanShutdown_RetainedClearedAndGoodbyeDeparts()
    {
        using var broker = Track(new MosquittoFixture());
        var topic = TopicKey.FromName("music");
        var a = NewFinder(broker.Url, [topic], name: "a");
        var b = NewFinder(broker.Url, [topic], name: "b");
        await a.StartAsync(default);
        await b.StartAsync(default);
        await EventAssert.NextAsync<DiscoveredPeer>(b.Events, p => p.Peer == _signers[0].Id, Patience, "b to see a");
        Assert.Equal(2, (await RetainedAsync(broker, topic)).Count);

        await a.DisposeAsync();

        var gone = await EventAssert.NextAsync<DepartedPeer>(b.Events, p => p.Peer == _signers[0].Id, Patience, "b to get a's goodbye");
        Assert.Equal(DepartureReason.Goodbye, gone.Reason);
        var retained = await RetainedAsync(broker, topic);
        Assert.Single(retained); // only b's is left
        Assert.EndsWith(MqttTopicNames.Slot(topic, _signers[1].Id), retained[0], StringComparison.Ordinal);
    }

    [SystemFact(Needs.Mosquitto)]
    public async Task Crash_NoGoodbye_RetainedAnnouncementExpires()
    {
        using var broker = Track(new MosquittoFixture());
        var topic = TopicKey.FromName("music");
        var a = NewFinder(broker.Url, [topic], interval: TimeSpan.FromSeconds(1), name: "a"); // expiry 2 s
        await a.StartAsync(default);
        var witness = NewFinder(broker.Url, [topic], name: "witness");
        await witness.StartAsync(default);
        await EventAssert.NextAsync<DiscoveredPeer>(witness.Events, p => p.Peer == _signers[0].Id, Patience, "witness to see a");

        a.WithdrawOnDispose = false;
        await a.DisposeAsync();
        Assert.Single(await RetainedAsync(broker, topic, exceptSlotOf: _signers[1].Id));

        await Task.Delay(TimeSpan.FromSeconds(3));
        var late = NewFinder(broker.Url, [topic], name: "late");
        await late.StartAsync(default);
        await EventAssert.NoneAsync(late.Events, e => e.Peer == _signers[0].Id, TimeSpan.FromSeconds(1), "the crashed peer after its expiry");
    }

    [SystemFact(Needs.Mosquitto)]
    public async Task LeaveTopic_AtRuntime_GoodbyeAndRetainedCleared()
    {
        using var broker = Track(new MosquittoFixture());
        var music = TopicKey.FromName("music");
        var movies = TopicKey.FromName("movies");
        var a = NewFinder(broker.Url, [music, movies], name: "a");
        var b = NewFinder(broker.Url, [music], name: "b");
        await a.StartAsync(default);
        await b.StartAsync(default);
        await EventAssert.NextAsync<DiscoveredPeer>(b.Events, p => p.Peer == _signers[0].Id, Patience, "b to see a");

        a.SetTopics([movies]);

        await EventAssert.NextAsync<DepartedPeer>(b.Events, p => p.Peer == _signers[0].Id && p.Reason == DepartureReason.Goodbye, Patience, "a's goodbye on music");
        Assert.Empty(await RetainedAsync(broker, music, exceptSlotOf: _signers[1].Id));
        Assert.Single(await RetainedAsync(broker, movies));

        // Joining again announces at once.
        a.SetTopics([movies, music]);
        await EventAssert.NextAsync<DiscoveredPeer>(b.Events, p => p.Peer == _signers[0].Id, Patience, "a back on music");
    }

    [SystemFact(Needs.Mosquitto)]
    public async Task HostileMessages_OnTheTopic_IgnoredAndDiscoveryContinues()
    {
        using var broker = Track(new MosquittoFixture());
        var topic = TopicKey.FromName("music");
        var b = NewFinder(broker.Url, [topic], name: "b");
        await b.StartAsync(default);

        using var mallory = new TestSigner();
        using var alice = new TestSigner();
        var sealer = new AnnouncementSealer(mallory, TimeProvider.System);
        var info = new LocalAnnouncement(1, [IPAddress.Parse("10.6.6.6")]);
        var valid = sealer.Seal(topic, AnnouncementPurpose.Mqtt, info, TimeSpan.FromSeconds(60), false, true);
        var prefix = "hddfs/v1/" + topic.RendezvousId;
        using var raw = await RawClientAsync(broker);
        await Eventually.TrueAsync(() => b.IsConnected, Patience, "b to connect");
        await Task.Delay(200); // and subscribe
        var garbage = new byte[200];
        Random.Shared.NextBytes(garbage);
        await raw.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(prefix + "/" + new string('a', 32)).WithPayload(garbage).WithRetainFlag(true).Build());
        await raw.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(prefix + "/not-a-slot").WithPayload(valid).WithRetainFlag(true).Build());
        // Mallory's valid announcement, but in Alice's slot: not from the slot's owner.
        await raw.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(MqttTopicNames.For("hddfs/v1", topic, alice.Id)).WithPayload(valid).WithRetainFlag(true).Build());
        await raw.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(prefix + "/" + new string('b', 32)).WithPayload(new byte[100_000]).WithRetainFlag(true).Build());
        await EventAssert.NoneAsync(b.Events, _ => true, TimeSpan.FromSeconds(1), "event from hostile messages");

        // The same bytes twice in the right slot: first accepted, second a replay.
        var slot = MqttTopicNames.For("hddfs/v1", topic, mallory.Id);
        await raw.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(slot).WithPayload(valid).WithRetainFlag(true).Build());
        await EventAssert.NextAsync<DiscoveredPeer>(b.Events, p => p.Peer == mallory.Id, Patience, "b to accept a well-formed announcement");
        await raw.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(slot).WithPayload(valid).WithRetainFlag(true).Build());
        await EventAssert.NoneAsync(b.Events, _ => true, TimeSpan.FromSeconds(0.5), "replayed announcement");

        var a = NewFinder(broker.Url, [topic], name: "a");
        await a.StartAsync(default);
        await EventAssert.NextAsync<DiscoveredPeer>(b.Events, p => p.Peer == _signers[1].Id, Patience, "b to still discover a real peer");
    }

    [SystemFact(Needs.Mosquitto)]
    public async Task Tls_TrustedSelfSignedBroker_Discovers()
    {
        using var broker = Track(new MosquittoFixture(useTls: true));
        var trusted = new X509Certificate2Collection { X509Certificate2.CreateFromPem(broker.CertificatePem) };
        var topic = TopicKey.FromName("music");
        var a = NewFinder(broker.Url, [topic], trusted: trusted, name: "a");
        var b = NewFinder(broker.Url, [topic], trusted: trusted, name: "b");
        await a.StartAsync(default);
        await b.StartAsync(default);

        await EventAssert.NextAsync<DiscoveredPeer>(b.Events, p => p.Peer == _signers[0].Id, Patience, "b to see a over TLS");
        Assert.StartsWith("mqtts://", broker.Url, StringComparison.Ordinal);
    }

    [SystemFact(Needs.Mosquitto)]
    public async Task Tls_UntrustedBrokerCertificate_NeverConnects()
    {
        using var broker = Track(new MosquittoFixture(useTls: true));
        var a = NewFinder(broker.Url, [TopicKey.FromName("music")], name: "a");
        await a.StartAsync(default);

        await Eventually.TrueAsync(() => a.Status.Contains("unreachable", StringComparison.Ordinal), Patience, "a to give up on the untrusted broker");
        await Task.Delay(TimeSpan.FromSeconds(1));

        Assert.False(a.IsConnected);
        Assert.Contains("unreachable", a.Status, StringComparison.Ordinal);
        Assert.Contains("mosquitto", broker.Log, StringComparison.Ordinal);
    }

    private static readonly byte[] Sentinel = "end of retained messages"u8.ToArray();

    private static async Task<IMqttClient> RawClientAsync(MosquittoFixture broker)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", broker.Port).WithProtocolVersion(MqttProtocolVersion.V500).Build());
        return client;
    }

    /// <summary>Topic names of the retained, non-empty messages under a topic, read by a fresh subscriber.</summary>
    private static async Task<List<string>> RetainedAsync(MosquittoFixture broker, TopicKey topic, PeerId? exceptSlotOf = null)
    {
        using var client = await RawClientAsync(broker);
        var names = new List<string>();
        var sentinelSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.ApplicationMessageReceivedAsync += e =>
        {
            if (!e.ApplicationMessage.Retain && e.ApplicationMessage.Payload.ToArray().AsSpan().SequenceEqual(Sentinel))
            {
                sentinelSeen.TrySetResult();
            }
            else if (e.ApplicationMessage.Retain && e.ApplicationMessage.Payload.Length > 0)
            {
                lock (names)
                {
                    names.Add(e.ApplicationMessage.Topic);
                }
            }

            return Task.CompletedTask;
        };
        await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter($"hddfs/v1/{topic.RendezvousId}/+", MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce).Build());
        // The broker queues retained messages at subscription; a message we publish afterwards to the
        // same filter arrives after them, so its arrival marks the end of the retained burst.
        await client.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic($"hddfs/v1/{topic.RendezvousId}/{new string('f', 32)}")
            .WithPayload(Sentinel)
            .WithQualityOfServiceLevel(MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce)
            .Build());
        await sentinelSeen.Task.WaitAsync(Patience);
        await client.DisconnectAsync();
        lock (names)
        {
            return exceptSlotOf is { } peer ? [.. names.Where(n => !n.EndsWith(MqttTopicNames.Slot(topic, peer), StringComparison.Ordinal))] : names;
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var d in _disposables)
        {
            await d.DisposeAsync();
        }

        foreach (var b in _brokers)
        {
            output.WriteLine("--- mosquitto log ---\n" + b.Log);
        }

        foreach (var s in _signers)
        {
            s.Dispose();
        }
    }
}

using System.Diagnostics;
using System.Net;
using HddFs.Core;
using HddFs.Discovery.Mdns;
using HddFs.Discovery.Mqtt;
using HddFs.Testing;
using Xunit.Abstractions;

namespace HddFs.Discovery.Tests;

/// <summary>
/// What the daemon will compose: a <see cref="DiscoveryManager"/> over a real MQTT finder (broker on
/// the host's loopback) and a real mDNS finder (sockets in a namespace on a bridge), per peer.
/// </summary>
public sealed class DiscoveryEndToEndTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly NetworkNamespaceLab _lab = new();
    private readonly List<DiscoveryManager> _managers = [];
    private readonly List<TestSigner> _signers = [];

    private DiscoveryManager NewPeer(NetworkNamespace host, string brokerUrl, TopicKey topic, int port)
    {
        var signer = new TestSigner();
        _signers.Add(signer);
        var mqtt = new MqttPeerFinder(
            new MqttFinderOptions { BrokerUrl = new Uri(brokerUrl), ReconnectInitialDelay = TimeSpan.FromMilliseconds(100) },
            signer,
            logger: new TestOutputLogger<MqttPeerFinder>(output, host.Name + " "));
        var mdns = new MdnsPeerFinder(
            new MdnsFinderOptions { NetworkContext = action => host.Run(action) },
            signer,
            logger: new TestOutputLogger<MdnsPeerFinder>(output, host.Name + " "));
        var manager = new DiscoveryManager([mqtt, mdns], logger: new TestOutputLogger<DiscoveryManager>(output, host.Name + " "));
        manager.SetTopics([topic]);
        manager.SetLocalInfo(new LocalAnnouncement(port, [host.Address], NatType.Cone, new IPEndPoint(IPAddress.Parse("198.51.100.9"), port)));
        _managers.Add(manager);
        return manager;
    }

    [SystemFact(Needs.Mosquitto | Needs.NetworkNamespaces)]
    public async Task TwoPeers_MqttAndMdns_OneMergedEntryThenOneDeparture()
    {
        using var broker = new MosquittoFixture();
        var sw = _lab.AddSwitch();
        var topic = TopicKey.FromName("music");
        var a = NewPeer(_lab.AddHost("a", sw, "10.79.0.2/24"), broker.Url, topic, 5001);
        var b = NewPeer(_lab.AddHost("b", sw, "10.79.0.3/24"), broker.Url, topic, 5002);
        var alice = _signers[0].Id;

        var clock = Stopwatch.StartNew();
        await a.StartAsync(default);
        await b.StartAsync(default);
        var first = await EventAssert.NextAsync<DiscoveredPeer>(b.Events, p => p.Peer == alice, TimeSpan.FromSeconds(3), "b to find a");
        output.WriteLine($"first sighting via {first.Source} after {clock.ElapsedMilliseconds} ms");
        var merged = first.Endpoints.Contains(new IPEndPoint(IPAddress.Parse("198.51.100.9"), 5001)) && first.Endpoints.Any(e => e.Address.IsIPv6LinkLocal)
            ? first
            : await EventAssert.NextAsync<DiscoveredPeer>(b.Events, p => p.Peer == alice, TimeSpan.FromSeconds(3), "the second mechanism's sighting merged in");
        output.WriteLine($"merged sighting after {clock.ElapsedMilliseconds} ms: {string.Join(", ", merged.Endpoints)}");

        // On-link endpoints (mDNS) first, the public one (MQTT only) last, no duplicates.
        Assert.Equal(new IPEndPoint(IPAddress.Parse("10.79.0.2"), 5001), merged.Endpoints[0]);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("198.51.100.9"), 5001), merged.Endpoints[^1]);
        Assert.Equal(merged.Endpoints.Count, merged.Endpoints.Distinct().Count());
        Assert.Equal(NatType.Cone, merged.Nat);
        Assert.Single(b.Snapshot(), p => p.Peer == alice);

        await a.DisposeAsync(); // goodbyes on both mechanisms
        var gone = await EventAssert.NextAsync<DepartedPeer>(b.Events, p => p.Peer == alice, TimeSpan.FromSeconds(3), "a's departure");
        Assert.Equal(DepartureReason.Goodbye, gone.Reason);
        await EventAssert.NoneAsync(b.Events, e => e.Peer == alice, TimeSpan.FromSeconds(1), "a second departure or a resurrection");
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var m in _managers)
        {
            await m.DisposeAsync();
        }

        _lab.Dispose();
        foreach (var s in _signers)
        {
            s.Dispose();
        }
    }
}

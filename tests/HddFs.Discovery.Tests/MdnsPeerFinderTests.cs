using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using HddFs.Core;
using HddFs.Discovery.Mdns;
using HddFs.Testing;
using Xunit.Abstractions;

namespace HddFs.Discovery.Tests;

/// <summary>
/// The mDNS finder on real multicast: hosts are network namespaces on a bridge (no traffic leaves
/// the test's namespaces), the finders run in this process with their sockets created inside the
/// namespaces.
/// </summary>
public sealed class MdnsPeerFinderTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);
    private readonly NetworkNamespaceLab _lab = new();
    private readonly List<MdnsPeerFinder> _finders = [];
    private readonly List<TestSigner> _signers = [];
    private NetworkNamespace? _switch;

    private NetworkNamespace Switch => _switch ??= _lab.AddSwitch();

    private NetworkNamespace Host(string role, int octet) => _lab.AddHost(role, Switch, $"10.77.0.{octet}/24");

    private MdnsPeerFinder NewFinder(NetworkNamespace host, TopicKey[] topics, int port = 4433, int announceCount = 3, bool withInfo = true)
    {
        var signer = new TestSigner();
        _signers.Add(signer);
        var options = new MdnsFinderOptions
        {
            NetworkContext = action => host.Run(action),
            AnnounceCount = announceCount,
        };
        var finder = new MdnsPeerFinder(options, signer, TimeProvider.System, new TestOutputLogger<MdnsPeerFinder>(output, host.Name + " "));
        finder.SetTopics(topics);
        if (withInfo)
        {
            finder.SetLocalInfo(new LocalAnnouncement(port, host.Legs.Select(l => l.Address).ToList(), NatType.Unknown));
        }

        _finders.Add(finder);
        return finder;
    }

    [SystemFact(Needs.NetworkNamespaces)]
    public async Task TwoHostsOnABridge_SameTopic_DiscoverEachOtherWithinTwoSeconds()
    {
        var topic = TopicKey.FromName("music");
        var hostA = Host("a", 2);
        var hostB = Host("b", 3);
        var a = NewFinder(hostA, [topic], port: 4001);
        var b = NewFinder(hostB, [topic], port: 4002);

        var clock = Stopwatch.StartNew();
        await a.StartAsync(default);
        await b.StartAsync(default);
        var bSeesA = await EventAssert.NextAsync<DiscoveredPeer>(b.Events, p => p.Peer == _signers[0].Id, TimeSpan.FromSeconds(2), "b to see a");
        var aSeesB = await EventAssert.NextAsync<DiscoveredPeer>(a.Events, p => p.Peer == _signers[1].Id, TimeSpan.FromSeconds(2), "a to see b");
        output.WriteLine($"mDNS mutual discovery across a bridge took {clock.ElapsedMilliseconds} ms");

        Assert.Equal(topic, bSeesA.Topic);
        Assert.Equal(DiscoverySource.Mdns, bSeesA.Source);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("10.77.0.2"), 4001), bSeesA.Endpoints[0]);
        Assert.Equal(TimeSpan.FromSeconds(120), bSeesA.ValidFor);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("10.77.0.3"), 4002), aSeesB.Endpoints[0]);
        Assert.Contains(bSeesA.Endpoints, e => e.Address.IsIPv6LinkLocal && e.Address.ScopeId != 0 && e.Port == 4001);
        Assert.StartsWith("listening on", a.Status, StringComparison.Ordinal);
    }

    [SystemFact(Needs.NetworkNamespaces)]
    public async Task TwoFindersOnOneHost_SameTopic_DiscoverEachOther()
    {
        // Several daemons on one machine: both bind 5353 (SO_REUSEPORT) and hear each other (loopback).
        var topic = TopicKey.FromName("music");
        var host = Host("a", 2);
        var a = NewFinder(host, [topic], port: 4001);
        var b = NewFinder(host, [topic], port: 4002);

        await a.StartAsync(default);
        await b.StartAsync(default);

        var bSeesA = await EventAssert.NextAsync<DiscoveredPeer>(b.Events, p => p.Peer == _signers[0].Id, TimeSpan.FromSeconds(2), "b to see a");
        await EventAssert.NextAsync<DiscoveredPeer>(a.Events, p => p.Peer == _signers[1].Id, TimeSpan.FromSeconds(2), "a to see b");
        Assert.Equal(new IPEndPoint(IPAddress.Parse("10.77.0.2"), 4001), bSeesA.Endpoints[0]);
    }

    [SystemFact(Needs.NetworkNamespaces)]
    public async Task OtherTopic_OnTheSameLan_SeesNothing()
    {
        var music = TopicKey.FromName("music");
        var a = NewFinder(Host("a", 2), [music]);
        var b = NewFinder(Host("b", 3), [music]);
        var c = NewFinder(Host("c", 4), [TopicKey.FromName("movies")]);
        await a.StartAsync(default);
        await b.StartAsync(default);
        await c.StartAsync(default);

        await EventAssert.NextAsync<DiscoveredPeer>(b.Events, p => p.Peer == _signers[0].Id, Patience, "b to see a (control)");
        await EventAssert.NoneAsync(c.Events, _ => true, TimeSpan.FromSeconds(2), "anything on another topic");
    }

    [SystemFact(Needs.NetworkNamespaces)]
    public async Task LateJoiner_AfterAnnouncementsEnded_FindsPeerByQuery()
    {
        var topic = TopicKey.FromName("music");
        var a = NewFinder(Host("a", 2), [topic], announceCount: 1);
        await a.StartAsync(default);
        await Task.Delay(TimeSpan.FromSeconds(1.5)); // a's only announcement is long gone

        var b = NewFinder(Host("b", 3), [topic], withInfo: false); // listens only: finds by asking
        var clock = Stopwatch.StartNew();
        await b.StartAsync(default);
        await EventAssert.NextAsync<DiscoveredPeer>(b.Events, p => p.Peer == _signers[0].Id, TimeSpan.FromSeconds(2), "b to find a by query");
        output.WriteLine($"mDNS late joiner found a quiet peer by query in {clock.ElapsedMilliseconds} ms");
    }

    [SystemFact(Needs.NetworkNamespaces)]
    public async Task Dispose_SendsSignedGoodbye_PeerDeparts()
    {
        var topic = TopicKey.FromName("music");
        var a = NewFinder(Host("a", 2), [topic]);
        var b = NewFinder(Host("b", 3), [topic]);
        await a.StartAsync(default);
        await b.StartAsync(default);
        await EventAssert.NextAsync<DiscoveredPeer>(b.Events, p => p.Peer == _signers[0].Id, Patience, "b to see a");

        var clock = Stopwatch.StartNew();
        await a.DisposeAsync();

        var gone = await EventAssert.NextAsync<DepartedPeer>(b.Events, p => p.Peer == _signers[0].Id, TimeSpan.FromSeconds(2), "a's goodbye");
        output.WriteLine($"mDNS goodbye → departure in {clock.ElapsedMilliseconds} ms");
        Assert.Equal(DepartureReason.Goodbye, gone.Reason);
        Assert.Equal(topic, gone.Topic);
    }

    [SystemFact(Needs.NetworkNamespaces)]
    public async Task LeaveOneTopic_AtRuntime_DepartsOnlyThatTopic()
    {
        var music = TopicKey.FromName("music");
        var movies = TopicKey.FromName("movies");
        var a = NewFinder(Host("a", 2), [music, movies]);
        var b = NewFinder(Host("b", 3), [music, movies]);
        await a.StartAsync(default);
        await b.StartAsync(default);
        await EventAssert.NextAsync<DiscoveredPeer>(b.Events, p => p.Peer == _signers[0].Id && p.Topic == music, Patience, "b to see a on music");
        await EventAssert.NextAsync<DiscoveredPeer>(b.Events, p => p.Peer == _signers[0].Id && p.Topic == movies, Patience, "b to see a on movies");

        a.SetTopics([movies]);

        var gone = await EventAssert.NextAsync<DepartedPeer>(b.Events, p => p.Peer == _signers[0].Id, TimeSpan.FromSeconds(3), "a leaving music");
        Assert.Equal(music, gone.Topic);
        await EventAssert.NoneAsync(b.Events, e => e is DepartedPeer && e.Topic == movies, TimeSpan.FromSeconds(1), "departure from movies");
    }

    [SystemFact(Needs.NetworkNamespaces)]
    public async Task ForgedUnsignedGoodbyeAndGarbage_NoDepartureAndStillWorks()
    {
        var topic = TopicKey.FromName("music");
        var hostA = Host("a", 2);
        var hostB = Host("b", 3);
        var mallory = Host("m", 66);
        var a = NewFinder(hostA, [topic], announceCount: 1);
        var b = NewFinder(hostB, [topic]);
        await a.StartAsync(default);
        await b.StartAsync(default);
        await EventAssert.NextAsync<DiscoveredPeer>(b.Events, p => p.Peer == _signers[0].Id, Patience, "b to see a");

        using var raw = mallory.Run(() => OpenRawMdnsSocket(mallory));
        // A TTL-0 PTR for a's instance (anyone on the LAN can send this), then assorted garbage.
        var forged = DnsMessageWriter.Write(DnsMessage.Response([new DnsRecord(MdnsRecords.Service, DnsType.Ptr, 0, new DnsPtrData(a.InstanceName))]));
        await raw.SendToAsync(forged, MdnsSocket.GroupEndPoint);
        var random = new Random(7);
        for (var i = 0; i < 50; i++)
        {
            var junk = new byte[random.Next(0, 600)];
            random.NextBytes(junk);
            await raw.SendToAsync(junk, MdnsSocket.GroupEndPoint);
        }

        await EventAssert.NoneAsync(b.Events, e => e is DepartedPeer, TimeSpan.FromSeconds(1), "departure from a forged goodbye");

        var c = NewFinder(Host("c", 4), [topic]);
        await c.StartAsync(default);
        await EventAssert.NextAsync<DiscoveredPeer>(b.Events, p => p.Peer == _signers[2].Id, Patience, "b still discovering after the garbage");
    }

    [SystemFact(Needs.NetworkNamespaces)]
    public async Task LegacyUnicastQuery_FromEphemeralPort_GetsUnicastAnswer()
    {
        var topic = TopicKey.FromName("music");
        var a = NewFinder(Host("a", 2), [topic], port: 4001, announceCount: 1);
        await a.StartAsync(default);
        var asker = Host("q", 9);

        using var socket = asker.Run(() =>
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            s.Bind(new IPEndPoint(IPAddress.Any, 0));
            s.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastInterface, IPAddress.Parse("10.77.0.9").GetAddressBytes());
            return s;
        });
        var query = DnsMessageWriter.Write(new DnsMessage(0x1234, 0, [new DnsQuestion(MdnsRecords.Service, DnsType.Ptr)], [], [], []));
        var buffer = new byte[9000];
        using var cts = new CancellationTokenSource(Patience);
        var receive = socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), cts.Token).AsTask();
        while (!receive.IsCompleted)
        {
            // As a one-shot resolver would: ask again until answered (a may still be starting).
            await socket.SendToAsync(query, MdnsSocket.GroupEndPoint);
            await Task.WhenAny(receive, Task.Delay(500));
        }

        var received = await receive;

        var answer = DnsMessageReader.Parse(buffer.AsSpan(0, received.ReceivedBytes));
        Assert.Equal(0x1234, answer.Id);
        Assert.True(answer.IsResponse);
        Assert.Equal(MdnsRecords.Service, Assert.Single(answer.Questions).Name);
        var ptr = Assert.Single(answer.Answers, r => r.Type == DnsType.Ptr);
        Assert.Equal(a.InstanceName, ((DnsPtrData)ptr.Data).Target);
        Assert.True(ptr.Ttl <= 10);
        var srv = (DnsSrvData)answer.AllRecords.Single(r => r.Type == DnsType.Srv).Data;
        Assert.Equal(4001, srv.Port);
        Assert.Contains(answer.AllRecords, r => r.Type == DnsType.A && ((DnsAddressData)r.Data).Address.Equals(IPAddress.Parse("10.77.0.2")));
        var txt = (DnsTxtData)answer.AllRecords.Single(r => r.Type == DnsType.Txt).Data;
        Assert.Single(MdnsRecords.TopicEntries(txt));
    }

    [SystemFact(Needs.NetworkNamespaces)]
    public async Task NoInterfaceAtStart_StartReturns_DiscoversOnceALinkAppears()
    {
        var topic = TopicKey.FromName("music");
        var a = NewFinder(Host("a", 2), [topic], port: 4001);
        await a.StartAsync(default);
        var lonely = _lab.AddHost("c", Switch, "10.77.0.4/24");
        // Take its only link down before the finder looks: nothing usable but loopback.
        lonely.Exec("ip", "link", "set", lonely.Legs[0].Interface, "down");
        var c = NewFinder(lonely, [topic], port: 4003);

        var clock = Stopwatch.StartNew();
        await c.StartAsync(default);
        Assert.True(clock.Elapsed < TimeSpan.FromMilliseconds(200));
        await Eventually.TrueAsync(() => c.Status.StartsWith("no usable interface", StringComparison.Ordinal), Patience, "c to report no interface");

        lonely.Exec("ip", "link", "set", lonely.Legs[0].Interface, "up");
        await EventAssert.NextAsync<DiscoveredPeer>(c.Events, p => p.Peer == _signers[0].Id, TimeSpan.FromSeconds(6), "c to find a once its link is up");
    }

    private static Socket OpenRawMdnsSocket(NetworkNamespace host)
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        s.Bind(new IPEndPoint(IPAddress.Any, 5353));
        s.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastInterface, host.Address.GetAddressBytes());
        return s;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var f in _finders)
        {
            await f.DisposeAsync();
        }

        _lab.Dispose();
        foreach (var s in _signers)
        {
            s.Dispose();
        }
    }
}

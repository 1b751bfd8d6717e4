using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using HddFs.Discovery.Stun;
using HddFs.Testing;

namespace HddFs.Discovery.Tests;

public sealed class StunClientTests
{
    private static readonly StunClientOptions Quick = new() { InitialRto = TimeSpan.FromMilliseconds(100), MaxRequests = 3 };

    [Theory]
    [InlineData(StunResponderMode.XorMapped)]
    [InlineData(StunResponderMode.MappedOnly)]
    [InlineData(StunResponderMode.Both)]
    public async Task Query_LoopbackResponder_ReturnsOurEndpoint(StunResponderMode mode)
    {
        using var responder = new StunResponder(IPAddress.Loopback, mode);
        await using var transport = UdpDatagramTransport.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        await using var client = new StunClient(transport, Quick);

        var mapped = await client.QueryAsync(responder.EndPoint, default);

        Assert.Equal(transport.LocalEndPoint, mapped);
        Assert.Equal(1, responder.Requests);
    }

    [Fact]
    public async Task Query_IPv6Loopback_ReturnsOurEndpoint()
    {
        using var responder = new StunResponder(IPAddress.IPv6Loopback);
        await using var transport = UdpDatagramTransport.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
        await using var client = new StunClient(transport, Quick);

        var mapped = await client.QueryAsync(responder.EndPoint, default);

        Assert.Equal(transport.LocalEndPoint, mapped);
    }

    [Fact]
    public async Task Query_DualStackSocketToIPv4Server_ReturnsPlainIPv4()
    {
        using var responder = new StunResponder(IPAddress.Loopback);
        await using var transport = UdpDatagramTransport.Bind(new IPEndPoint(IPAddress.IPv6Any, 0));
        await using var client = new StunClient(transport, Quick);

        var mapped = await client.QueryAsync(responder.EndPoint, default);

        Assert.Equal(new IPEndPoint(IPAddress.Loopback, transport.LocalEndPoint!.Port), mapped);
    }

    [Fact]
    public async Task Query_FirstTwoRequestsLost_RetransmissionGetsAnswer()
    {
        using var responder = new StunResponder(IPAddress.Loopback, dropFirst: 2);
        await using var transport = UdpDatagramTransport.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        await using var client = new StunClient(transport, Quick);

        var mapped = await client.QueryAsync(responder.EndPoint, default);

        Assert.Equal(transport.LocalEndPoint, mapped);
        Assert.Equal(3, responder.Requests);
    }

    [Fact]
    public async Task Query_ServerNeverAnswers_NullAfterBoundedRetransmissions()
    {
        using var silent = new StunResponder(IPAddress.Loopback, dropFirst: int.MaxValue);
        await using var transport = UdpDatagramTransport.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        await using var client = new StunClient(transport, Quick);
        var clock = Stopwatch.StartNew();

        var mapped = await client.QueryAsync(silent.EndPoint, default);

        Assert.Null(mapped);
        Assert.Equal(3, silent.Requests);
        // 100 + 200 + 800 ms (the last wait is doubled): bounded, and not absurdly early.
        Assert.InRange(clock.ElapsedMilliseconds, 900, 5000);
    }

    [Fact]
    public async Task Query_ErrorResponse_NullWithoutRetransmitting()
    {
        using var responder = new StunResponder(IPAddress.Loopback, StunResponderMode.Error);
        await using var transport = UdpDatagramTransport.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        await using var client = new StunClient(transport, new StunClientOptions { InitialRto = TimeSpan.FromSeconds(3) });
        var clock = Stopwatch.StartNew();

        Assert.Null(await client.QueryAsync(responder.EndPoint, default));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), "an error answer ends the transaction; no waiting for the RTO");
        Assert.Equal(1, responder.Requests);
    }

    [Fact]
    public async Task Query_GarbageArrivingMeanwhile_IgnoredAndAnswerStillUsed()
    {
        using var responder = new StunResponder(IPAddress.Loopback, dropFirst: 1);
        await using var transport = UdpDatagramTransport.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        await using var client = new StunClient(transport, Quick);
        using var noise = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        noise.Bind(new IPEndPoint(IPAddress.Loopback, 0));

        var query = client.QueryAsync(responder.EndPoint, default);
        var random = new Random(3);
        for (var i = 0; i < 100; i++)
        {
            var junk = new byte[random.Next(0, 80)];
            random.NextBytes(junk);
            if (i % 2 == 0 && junk.Length >= 20)
            {
                junk[0] = 0x01;
                junk[1] = 0x01; // looks like a success response...
                junk[2] = 0;
                junk[3] = (byte)((junk.Length - 20) & ~3); // ...with a plausible length
            }

            await noise.SendToAsync(junk, transport.LocalEndPoint!);
        }

        Assert.Equal(transport.LocalEndPoint, await query);
    }

    [Fact]
    public async Task Query_ServerUnreachableOverIPv6FromIPv4Socket_NullNotException()
    {
        await using var transport = UdpDatagramTransport.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        await using var client = new StunClient(transport, Quick);

        Assert.Null(await client.QueryAsync(new IPEndPoint(IPAddress.IPv6Loopback, 3478), default));
    }

    [Fact]
    public void IsStunMessage_DistinguishesStunFromQuic()
    {
        var request = new byte[20];
        request[1] = 0x01;
        request[4] = 0x21;
        request[5] = 0x12;
        request[6] = 0xA4;
        request[7] = 0x42;
        var quicLong = (byte[])request.Clone();
        quicLong[0] = 0xC0;

        Assert.True(StunClient.IsStunMessage(request));
        Assert.False(StunClient.IsStunMessage(quicLong));
        Assert.False(StunClient.IsStunMessage(request.AsSpan(0, 19)));
    }

    [Fact]
    public void ParseResponse_RandomAndMutatedBytes_NeverThrows()
    {
        var random = new Random(11);
        var valid = Rfc5769Ipv4Response;
        for (var i = 0; i < 20000; i++)
        {
            byte[] data;
            if (i % 2 == 0)
            {
                data = new byte[random.Next(0, 100)];
                random.NextBytes(data);
            }
            else
            {
                data = (byte[])valid.Clone();
                for (var m = random.Next(1, 4); m > 0; m--)
                {
                    data[random.Next(data.Length)] = (byte)random.Next(256);
                }
            }

            _ = StunMessage.TryParseBindingResponse(data, out _, out _);
        }

        Assert.True(StunMessage.TryParseBindingResponse(valid, out var mapped, out _));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 32853), mapped);
    }

    // RFC 5769 §2.2 and §2.3 sample responses (SOFTWARE, XOR-MAPPED-ADDRESS, MESSAGE-INTEGRITY,
    // FINGERPRINT; the client does not check integrity or fingerprint, so only their framing matters).
    private static readonly byte[] Rfc5769Ipv4Response = Convert.FromHexString(
        "0101003c2112a442b7e7a701bc34d686fa87dfae" + "8022000b7465737420766563746f7220"
        + "002000080001a147e112a643" + "000800142b91f599fd9e90c38c7489f92af9ba53f06be7d7" + "80280004c07d4c96");

    private static readonly byte[] Rfc5769Ipv6Response = Convert.FromHexString(
        "010100482112a442b7e7a701bc34d686fa87dfae" + "8022000b7465737420766563746f7220"
        + "002000140002a1470113a9faa5d3f179bc25f4b5bed2b9d9" + "00080014a382954e4be67bf11784c97c8292c275bfe3ed41" + "80280004c8fb0b4c");

    [Fact]
    public void ParseResponse_Rfc5769Vectors_DecodeXorMappedAddress()
    {
        Assert.True(StunMessage.TryParseBindingResponse(Rfc5769Ipv4Response, out var v4, out _));
        Assert.True(StunMessage.TryParseBindingResponse(Rfc5769Ipv6Response, out var v6, out _));

        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 32853), v4);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("2001:db8:1234:5678:11:2233:4455:6677"), 32853), v6);
    }

    [Fact]
    public void ParseResponse_LengthFieldOrCookieWrong_Rejected()
    {
        var badLength = (byte[])Rfc5769Ipv4Response.Clone();
        badLength[3] = 0x40;
        var badCookie = (byte[])Rfc5769Ipv4Response.Clone();
        badCookie[4] = 0x22;
        var truncatedAttribute = Rfc5769Ipv4Response[..^4];
        truncatedAttribute[3] = (byte)(truncatedAttribute.Length - 20);

        Assert.False(StunMessage.TryParseBindingResponse(badLength, out _, out _));
        Assert.False(StunMessage.TryParseBindingResponse(badCookie, out _, out _));
        Assert.False(StunMessage.TryParseBindingResponse(truncatedAttribute, out _, out _));
    }

    [Theory]
    [InlineData(0, 0, NatType.Open)]
    [InlineData(1000, 1000, NatType.Cone)]
    [InlineData(1, 2, NatType.Symmetric)]
    public async Task Detect_TwoResponders_ClassifiesByMappedPorts(int offsetA, int offsetB, NatType expected)
    {
        using var a = new StunResponder(IPAddress.Loopback, portOffset: offsetA);
        using var b = new StunResponder(IPAddress.Loopback, portOffset: offsetB);
        await using var transport = UdpDatagramTransport.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        await using var client = new StunClient(transport, Quick);

        var report = await NatDetector.DetectAsync(client, [a.EndPoint, b.EndPoint], transport.LocalEndPoint, null, default);

        Assert.Equal(expected, report.Type);
        Assert.Equal(transport.LocalEndPoint!.Port + offsetA, report.PublicEndPoint!.Port);
        Assert.Equal(2, report.Observations.Count(o => o.Mapped is not null));
    }

    [Fact]
    public async Task Detect_OneServerSilent_UnknownButPublicEndpointKnown()
    {
        using var a = new StunResponder(IPAddress.Loopback, portOffset: 5);
        using var silent = new StunResponder(IPAddress.Loopback, dropFirst: int.MaxValue);
        await using var transport = UdpDatagramTransport.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        await using var client = new StunClient(transport, Quick);

        var report = await NatDetector.DetectAsync(client, [a.EndPoint, silent.EndPoint], transport.LocalEndPoint, null, default);

        Assert.Equal(NatType.Unknown, report.Type);
        Assert.Equal(transport.LocalEndPoint!.Port + 5, report.PublicEndPoint!.Port);
    }

    [Fact]
    public async Task Detect_NoServerReachable_UnknownAndNoPublicEndpoint()
    {
        using var s1 = new StunResponder(IPAddress.Loopback, dropFirst: int.MaxValue);
        using var s2 = new StunResponder(IPAddress.Loopback, dropFirst: int.MaxValue);
        await using var transport = UdpDatagramTransport.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        await using var client = new StunClient(transport, Quick);

        var report = await NatDetector.DetectAsync(client, [s1.EndPoint, s2.EndPoint], transport.LocalEndPoint, null, default);

        Assert.Equal(NatType.Unknown, report.Type);
        Assert.Null(report.PublicEndPoint);
    }

    [Fact]
    public async Task Resolve_LiteralsAndJunk_KeepsOnlyValidEntries()
    {
        var resolved = await NatDetector.ResolveAsync(["127.0.0.1:3478", "[::1]:19302", "nonsense", "host:0", "127.0.0.1:99999"], AddressFamily.InterNetwork, default);

        Assert.Equal(["127.0.0.1:3478", "[::1]:19302"], resolved.Select(e => e.ToString()));
    }

    [SystemTheory(Needs.NetworkNamespaces)]
    [InlineData(RouterNat.Masquerade, NatType.Cone)]
    [InlineData(RouterNat.MasqueradeRandom, NatType.Symmetric)]
    public async Task Detect_BehindARealNatRouter_ClassifiesTheRouter(RouterNat nat, NatType expected)
    {
        // lan (10.88.1.0/24) — router — wan (10.88.2.0/24) — server with two STUN responders.
        using var lab = new NetworkNamespaceLab();
        var lan = lab.AddSwitch("lan");
        var wan = lab.AddSwitch("wan");
        lab.AddRouter("r", lan, "10.88.1.1/24", wan, "10.88.2.1/24", nat);
        var server = lab.AddHost("srv", wan, "10.88.2.10/24");
        var client = lab.AddHost("cli", lan, "10.88.1.20/24", gateway: "10.88.1.1");
        using var a = new StunResponder(server.Address, inside: server);
        using var b = new StunResponder(server.Address, inside: server);
        await using var transport = client.Run(() => UdpDatagramTransport.Bind(new IPEndPoint(IPAddress.Any, 0)));
        await using var stun = new StunClient(transport, Quick);

        var report = await NatDetector.DetectAsync(stun, [a.EndPoint, b.EndPoint], transport.LocalEndPoint, [client.Address], default);

        Assert.Equal(expected, report.Type);
        Assert.Equal(IPAddress.Parse("10.88.2.1"), report.PublicEndPoint!.Address);
    }

    [SystemFact(Needs.NetworkNamespaces)]
    public async Task Detect_NoNatBetweenHosts_Open()
    {
        using var lab = new NetworkNamespaceLab();
        var sw = lab.AddSwitch();
        var server = lab.AddHost("srv", sw, "10.88.3.10/24");
        var client = lab.AddHost("cli", sw, "10.88.3.20/24");
        using var a = new StunResponder(server.Address, inside: server);
        using var b = new StunResponder(server.Address, inside: server);
        await using var transport = client.Run(() => UdpDatagramTransport.Bind(new IPEndPoint(IPAddress.Any, 0)));
        await using var stun = new StunClient(transport, Quick);

        var report = await NatDetector.DetectAsync(stun, [a.EndPoint, b.EndPoint], transport.LocalEndPoint, [client.Address], default);

        Assert.Equal(NatType.Open, report.Type);
        Assert.Equal(new IPEndPoint(client.Address, transport.LocalEndPoint!.Port), report.PublicEndPoint);
    }
}

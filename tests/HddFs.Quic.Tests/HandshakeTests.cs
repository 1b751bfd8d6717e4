using System.Net;
using System.Net.Sockets;

namespace HddFs.Quic.Tests;

public sealed class HandshakeTests
{
    [Fact]
    public void IsSupported_WithTheShimBuilt_IsTrue()
        => Assert.True(QuicEndpoint.IsSupported);

    [Fact]
    public async Task Connect_MutualEd25519_BothSidesSeeThePeersKey()
    {
        await using var pair = new EndpointPair();
        var (client, server) = await Quic.ConnectAsync(pair.Client, pair.Server);
        await using (client)
        await using (server)
        {
            Assert.True(client.IsClient);
            Assert.False(server.IsClient);
            Assert.Equal(TestIdentity.Bob.PublicKey, client.PeerPublicKey.ToArray());
            Assert.Equal(TestIdentity.Alice.PublicKey, server.PeerPublicKey.ToArray());
            Assert.Equal(pair.Server.LocalEndPoint, client.RemoteEndPoint);
            Assert.Equal(pair.Client.LocalEndPoint, server.RemoteEndPoint);
        }
    }

    [Fact]
    public async Task Connect_ExpectedKeyMatches_Succeeds()
    {
        await using var pair = new EndpointPair();
        var (client, server) = await Quic.ConnectAsync(pair.Client, pair.Server, TestIdentity.Bob.PublicKey);
        await client.DisposeAsync();
        await server.DisposeAsync();
    }

    [Fact]
    public async Task Connect_WrongExpectedKey_FailsWithPeerAuthenticationFailed()
    {
        await using var pair = new EndpointPair();
        var ex = await Assert.ThrowsAsync<QuicException>(async () =>
            await pair.Client.ConnectAsync(pair.Server.LocalEndPoint, Quic.Token(), TestIdentity.Carol.PublicKey));
        Assert.Equal(QuicError.PeerAuthenticationFailed, ex.Error);
        await AssertNothingAcceptedAsync(pair.Server);
    }

    [Fact]
    public async Task Connect_ServerPresentsEcdsaCertificate_ClientRejectsIt()
    {
        await using var server = Quic.Endpoint(TestIdentity.Ecdsa);
        await using var client = Quic.Endpoint(TestIdentity.Alice);
        var ex = await Assert.ThrowsAsync<QuicException>(async () => await client.ConnectAsync(server.LocalEndPoint, Quic.Token()));
        Assert.Equal(QuicError.PeerAuthenticationFailed, ex.Error);
        await AssertNothingAcceptedAsync(server);
    }

    [Fact]
    public async Task Connect_ClientPresentsEcdsaCertificate_ServerRejectsIt()
    {
        await using var server = Quic.Endpoint(TestIdentity.Bob);
        await using var client = Quic.Endpoint(TestIdentity.Ecdsa);
        var ex = await Assert.ThrowsAsync<QuicException>(async () => await client.ConnectAsync(server.LocalEndPoint, Quic.Token()));
        Assert.Equal(QuicError.PeerAuthenticationFailed, ex.Error); // the server's bad_certificate alert
        Assert.Equal(0x100 + 42, ex.TransportErrorCode);
        await AssertNothingAcceptedAsync(server);
    }

    [Fact]
    public async Task Connect_ServerSignatureInvalid_ClientRejectsIt()
    {
        await using var server = Quic.Endpoint(TestIdentity.Bob.WithBrokenSignature());
        await using var client = Quic.Endpoint(TestIdentity.Alice);
        var ex = await Assert.ThrowsAsync<QuicException>(async () => await client.ConnectAsync(server.LocalEndPoint, Quic.Token()));
        Assert.Equal(QuicError.PeerAuthenticationFailed, ex.Error);
        await AssertNothingAcceptedAsync(server);
    }

    [Fact]
    public async Task Connect_ClientSignatureInvalid_ServerRejectsIt()
    {
        await using var server = Quic.Endpoint(TestIdentity.Bob);
        await using var client = Quic.Endpoint(TestIdentity.Alice.WithBrokenSignature());
        var ex = await Assert.ThrowsAsync<QuicException>(async () => await client.ConnectAsync(server.LocalEndPoint, Quic.Token()));
        Assert.Equal(QuicError.PeerAuthenticationFailed, ex.Error);
        await AssertNothingAcceptedAsync(server);
    }

    [Fact]
    public async Task Connect_ServerValidatorRejectsClientKey_Fails()
    {
        var seen = new List<byte[]>();
        await using var server = Quic.Endpoint(TestIdentity.Bob, o => new QuicEndpointOptions
        {
            LocalEndPoint = o.LocalEndPoint,
            CertificatePem = o.CertificatePem,
            PrivateKeyPem = o.PrivateKeyPem,
            ApplicationProtocol = o.ApplicationProtocol,
            ValidatePeerKey = key =>
            {
                lock (seen)
                {
                    seen.Add(key.ToArray());
                }

                return key.Span.SequenceEqual(TestIdentity.Carol.PublicKey);
            },
        });
        await using var alice = Quic.Endpoint(TestIdentity.Alice);
        await using var carol = Quic.Endpoint(TestIdentity.Carol);

        var ex = await Assert.ThrowsAsync<QuicException>(async () => await alice.ConnectAsync(server.LocalEndPoint, Quic.Token()));
        Assert.Equal(QuicError.PeerAuthenticationFailed, ex.Error);

        var (client, accepted) = await Quic.ConnectAsync(carol, server);
        Assert.Equal(TestIdentity.Carol.PublicKey, accepted.PeerPublicKey.ToArray());
        lock (seen)
        {
            Assert.Equal([TestIdentity.Alice.PublicKey, TestIdentity.Carol.PublicKey], seen);
        }

        await client.DisposeAsync();
        await accepted.DisposeAsync();
    }

    [Fact]
    public async Task Connect_DifferentApplicationProtocol_FailsWithHandshakeFailed()
    {
        await using var server = Quic.Endpoint(TestIdentity.Bob);
        await using var client = Quic.Endpoint(TestIdentity.Alice, o => Copy(o, alpn: "something-else/1"));
        var ex = await Assert.ThrowsAsync<QuicException>(async () => await client.ConnectAsync(server.LocalEndPoint, Quic.Token()));
        Assert.Equal(QuicError.HandshakeFailed, ex.Error);
        Assert.Equal(0x100 + 120, ex.TransportErrorCode); // no_application_protocol
    }

    [Fact]
    public async Task Connect_NothingListening_FailsFastWithConnectionRefused()
    {
        int port;
        using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
        {
            probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            port = ((IPEndPoint)probe.LocalEndPoint!).Port;
        }

        await using var client = Quic.Endpoint(TestIdentity.Alice);
        var started = DateTime.UtcNow;
        var ex = await Assert.ThrowsAsync<QuicException>(async () =>
            await client.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), Quic.Token()));
        Assert.Equal(QuicError.ConnectionRefused, ex.Error);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(3), "ICMP port unreachable should fail the dial at once");
    }

    [Fact]
    public async Task Connect_ServerNotAccepting_FailsWithConnectionRefused()
    {
        await using var server = Quic.Endpoint(TestIdentity.Bob, o => Copy(o, accept: false));
        await using var client = Quic.Endpoint(TestIdentity.Alice);
        var ex = await Assert.ThrowsAsync<QuicException>(async () => await client.ConnectAsync(server.LocalEndPoint, Quic.Token()));
        Assert.Equal(QuicError.ConnectionRefused, ex.Error);
    }

    [Fact]
    public async Task Connect_HandshakeTimeout_FailsWithConnectionTimeout()
    {
        // a UDP socket that swallows everything: no ICMP, no answer
        using var sink = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        sink.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        await using var client = Quic.Endpoint(TestIdentity.Alice, o => Copy(o, handshakeTimeout: TimeSpan.FromSeconds(1)));
        var ex = await Assert.ThrowsAsync<QuicException>(async () => await client.ConnectAsync((IPEndPoint)sink.LocalEndPoint!, Quic.Token()));
        Assert.Equal(QuicError.ConnectionTimeout, ex.Error);
    }

    [Fact]
    public async Task Connect_Cancelled_ThrowsOperationCanceled()
    {
        using var sink = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        sink.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        await using var client = Quic.Endpoint(TestIdentity.Alice);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await client.ConnectAsync((IPEndPoint)sink.LocalEndPoint!, cts.Token));
    }

    [Fact]
    public async Task Connect_IPv6Loopback_Works()
    {
        await using var pair = new EndpointPair(address: IPAddress.IPv6Loopback);
        var (client, server) = await Quic.ConnectAsync(pair.Client, pair.Server);
        Assert.Equal(IPAddress.IPv6Loopback, client.RemoteEndPoint.Address);
        Assert.Equal(IPAddress.IPv6Loopback, server.RemoteEndPoint.Address);
        await EchoAsync(client, server);
        await client.DisposeAsync();
        await server.DisposeAsync();
    }

    [Fact]
    public async Task Connect_DualStackServer_AcceptsIPv4AndIPv6Clients()
    {
        await using var server = Quic.Endpoint(TestIdentity.Bob, address: IPAddress.IPv6Any);
        await using var v4 = Quic.Endpoint(TestIdentity.Alice, address: IPAddress.Loopback);
        await using var v6 = Quic.Endpoint(TestIdentity.Carol, address: IPAddress.IPv6Loopback);
        var port = server.LocalEndPoint.Port;

        var accept = server.AcceptConnectionAsync(Quic.Token()).AsTask();
        var c4 = await v4.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), Quic.Token());
        var s4 = await accept;
        Assert.Equal(IPAddress.Loopback, s4.RemoteEndPoint.Address); // IPv4-mapped shown as IPv4
        await EchoAsync(c4, s4);

        accept = server.AcceptConnectionAsync(Quic.Token()).AsTask();
        var c6 = await v6.ConnectAsync(new IPEndPoint(IPAddress.IPv6Loopback, port), Quic.Token());
        var s6 = await accept;
        Assert.Equal(IPAddress.IPv6Loopback, s6.RemoteEndPoint.Address);
        await EchoAsync(c6, s6);

        // a dual-stack endpoint also dials IPv4 peers
        await using var v4server = Quic.Endpoint(TestIdentity.Alice, address: IPAddress.Loopback);
        var (c, s) = await Quic.ConnectAsync(server, v4server);
        await EchoAsync(c, s);

        foreach (var conn in new[] { c4, s4, c6, s6, c, s })
        {
            await conn.DisposeAsync();
        }
    }

    [Fact]
    public async Task Create_PortInUse_ThrowsAddressInUse()
    {
        await using var first = Quic.Endpoint(TestIdentity.Bob);
        var ex = Assert.Throws<QuicException>(() => Quic.Endpoint(TestIdentity.Bob, o => Copy(o, local: first.LocalEndPoint)));
        Assert.Equal(QuicError.AddressInUse, ex.Error);
    }

    [Fact]
    public void Create_KeyNotMatchingCertificate_ThrowsArgumentException()
        => Assert.Throws<ArgumentException>(() => Quic.Endpoint(TestIdentity.Alice with { PrivateKeyPem = TestIdentity.Bob.PrivateKeyPem }));

    [Fact]
    public void Create_GarbageCertificate_ThrowsArgumentException()
        => Assert.Throws<ArgumentException>(() => Quic.Endpoint(TestIdentity.Alice with { CertificatePem = "not a certificate" }));

    internal static async Task EchoAsync(QuicConnection client, QuicConnection server)
    {
        var ct = Quic.Token();
        var serverSide = Task.Run(async () =>
        {
            await using var s = await server.AcceptInboundStreamAsync(ct);
            var data = await s.ReadToEndAsync(ct);
            await s.WriteAsync(data, completeWrites: true, ct);
            await s.WritesClosed.WaitAsync(ct);
        });
        await using var stream = await client.OpenBidirectionalStreamAsync(ct);
        await stream.WriteAsync("ping"u8.ToArray(), completeWrites: true, ct);
        Assert.Equal("ping"u8.ToArray(), await stream.ReadToEndAsync(ct));
        await serverSide;
    }

    private static async Task AssertNothingAcceptedAsync(QuicEndpoint server)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await server.AcceptConnectionAsync(cts.Token));
    }

    internal static QuicEndpointOptions Copy(QuicEndpointOptions o, string? alpn = null, bool? accept = null, TimeSpan? handshakeTimeout = null,
        IPEndPoint? local = null, TimeSpan? idle = null, TimeSpan? keepAlive = null, int? maxBidi = null, int? sendBuffer = null,
        ReadOnlyMemory<byte>? resetKey = null, bool? requireClientCert = null, int? maxUni = null)
        => new()
        {
            LocalEndPoint = local ?? o.LocalEndPoint,
            CertificatePem = o.CertificatePem,
            PrivateKeyPem = o.PrivateKeyPem,
            ApplicationProtocol = alpn ?? o.ApplicationProtocol,
            AcceptIncomingConnections = accept ?? o.AcceptIncomingConnections,
            HandshakeTimeout = handshakeTimeout ?? o.HandshakeTimeout,
            IdleTimeout = idle ?? o.IdleTimeout,
            KeepAliveInterval = keepAlive ?? o.KeepAliveInterval,
            MaxInboundBidirectionalStreams = maxBidi ?? o.MaxInboundBidirectionalStreams,
            MaxInboundUnidirectionalStreams = maxUni ?? o.MaxInboundUnidirectionalStreams,
            StreamSendBufferSize = sendBuffer ?? o.StreamSendBufferSize,
            ConnectionSendBufferSize = Math.Max(sendBuffer ?? o.StreamSendBufferSize, o.ConnectionSendBufferSize),
            StatelessResetKey = resetKey ?? o.StatelessResetKey,
            RequireClientCertificate = requireClientCert ?? o.RequireClientCertificate,
        };
}

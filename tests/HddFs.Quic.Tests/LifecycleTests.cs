using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;

namespace HddFs.Quic.Tests;

public sealed class LifecycleTests
{
    [Fact]
    public async Task Close_WithApplicationCode_PeerSeesConnectionAbortedWithThatCode()
    {
        await using var pair = new EndpointPair();
        var (client, server) = await Quic.ConnectAsync(pair.Client, pair.Server);
        var ct = Quic.Token();
        var pendingAccept = server.AcceptInboundStreamAsync(ct).AsTask();

        await client.CloseAsync(1234, ct);
        Assert.Equal(QuicError.ConnectionClosedLocally, client.CloseReason!.Error);

        await server.Closed.WaitAsync(ct);
        Assert.Equal(QuicError.ConnectionAborted, server.CloseReason!.Error);
        Assert.Equal(1234, server.CloseReason.ApplicationErrorCode);
        var ex = await Assert.ThrowsAsync<QuicException>(() => pendingAccept);
        Assert.Equal(1234, ex.ApplicationErrorCode);
        var open = await Assert.ThrowsAsync<QuicException>(async () => await server.OpenBidirectionalStreamAsync(ct));
        Assert.Equal(QuicError.ConnectionAborted, open.Error);
        await client.DisposeAsync();
        await server.DisposeAsync();
    }

    [Fact]
    public async Task Close_PendingStreamOperations_FailPromptly()
    {
        await using var pair = new EndpointPair();
        var (client, server) = await Quic.ConnectAsync(pair.Client, pair.Server);
        var ct = Quic.Token();
        await using var stream = await client.OpenBidirectionalStreamAsync(ct);
        await stream.WriteAsync(new byte[1], ct);
        await using var inbound = await server.AcceptInboundStreamAsync(ct);
        var pendingRead = stream.ReadAsync(new byte[10], ct).AsTask();

        await server.CloseAsync(9, ct);
        var ex = await Assert.ThrowsAsync<QuicException>(() => pendingRead.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(QuicError.ConnectionAborted, ex.Error);
        Assert.Equal(9, ex.ApplicationErrorCode);
        var write = await Assert.ThrowsAsync<QuicException>(async () => await stream.WriteAsync(new byte[1], ct));
        Assert.Equal(9, write.ApplicationErrorCode);
        await client.DisposeAsync();
        await server.DisposeAsync();
    }

    [Fact]
    public async Task PeerVanishes_PendingReadFailsWithinTheIdleTimeout()
    {
        var idle = TimeSpan.FromSeconds(2);
        await using var server = Quic.Endpoint(TestIdentity.Bob, o => HandshakeTests.Copy(o, idle: idle, keepAlive: TimeSpan.FromMilliseconds(500)));
        var client = Quic.Endpoint(TestIdentity.Alice, o => HandshakeTests.Copy(o, idle: idle, keepAlive: TimeSpan.FromMilliseconds(500)));
        var (connection, accepted) = await Quic.ConnectAsync(client, server);
        var ct = Quic.Token();
        await using var stream = await connection.OpenBidirectionalStreamAsync(ct);
        await stream.WriteAsync(new byte[1], ct);
        var inbound = await accepted.AcceptInboundStreamAsync(ct);
        var pendingRead = inbound.ReadAsync(new byte[10], ct).AsTask();
        Assert.Equal(1, await pendingRead);
        pendingRead = inbound.ReadAsync(new byte[10], ct).AsTask();

        var watch = Stopwatch.StartNew();
        await client.DisposeAbruptlyAsync(); // no CONNECTION_CLOSE: like a killed process or a pulled cable
        var ex = await Assert.ThrowsAsync<QuicException>(() => pendingRead.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(QuicError.ConnectionIdle, ex.Error);
        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5));
        await Assert.ThrowsAsync<QuicException>(async () => await inbound.WriteAsync(new byte[1], ct));
        await inbound.DisposeAsync();
        await accepted.DisposeAsync();
        await connection.DisposeAsync();
    }

    [Fact]
    public async Task KeepAlive_QuietConnection_OutlivesTheIdleTimeout()
    {
        var idle = TimeSpan.FromSeconds(1);
        await using var pair = new EndpointPair(o => HandshakeTests.Copy(o, idle: idle, keepAlive: TimeSpan.FromMilliseconds(250)));
        var (client, server) = await Quic.ConnectAsync(pair.Client, pair.Server);
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.False(client.Closed.IsCompleted);
        Assert.False(server.Closed.IsCompleted);
        await HandshakeTests.EchoAsync(client, server);
        await client.DisposeAsync();
        await server.DisposeAsync();
    }

    [Fact]
    public async Task NoKeepAlive_QuietConnection_ClosesAsIdle()
    {
        var idle = TimeSpan.FromSeconds(1);
        await using var pair = new EndpointPair(o => HandshakeTests.Copy(o, idle: idle, keepAlive: TimeSpan.Zero));
        var (client, server) = await Quic.ConnectAsync(pair.Client, pair.Server);
        await client.Closed.WaitAsync(TimeSpan.FromSeconds(10));
        await server.Closed.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(QuicError.ConnectionIdle, client.CloseReason!.Error);
        Assert.Equal(QuicError.ConnectionIdle, server.CloseReason!.Error);
        await client.DisposeAsync();
        await server.DisposeAsync();
    }

    [Fact]
    public async Task StatelessReset_ServerRestartsWithTheSameSecret_ClientLearnsAtOnce()
    {
        var secret = RandomNumberGenerator.GetBytes(32);
        var idle = TimeSpan.FromSeconds(30); // without the reset the client would wait this long
        var server = Quic.Endpoint(TestIdentity.Bob, o => HandshakeTests.Copy(o, idle: idle, resetKey: secret));
        var port = server.LocalEndPoint.Port;
        await using var client = Quic.Endpoint(TestIdentity.Alice, o => HandshakeTests.Copy(o, idle: idle));
        var (connection, accepted) = await Quic.ConnectAsync(client, server);
        var ct = Quic.Token();
        await using var stream = await connection.OpenBidirectionalStreamAsync(ct);
        await stream.WriteAsync(new byte[10], ct);
        await (await accepted.AcceptInboundStreamAsync(ct)).ReadExactlyAsync(new byte[10], ct);
        var pendingRead = stream.ReadAsync(new byte[10], ct).AsTask();

        await server.DisposeAbruptlyAsync(); // the server forgets everything, tells no one
        await using var restarted = Quic.Endpoint(TestIdentity.Bob,
            o => HandshakeTests.Copy(o, local: new IPEndPoint(IPAddress.Loopback, port), resetKey: secret));
        var watch = Stopwatch.StartNew();
        await stream.WriteAsync(new byte[10], ct); // reaches the new endpoint, which answers with a stateless reset
        var ex = await Assert.ThrowsAsync<QuicException>(() => pendingRead.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(QuicError.ConnectionReset, ex.Error);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"took {watch.Elapsed}");
        Assert.True(restarted.GetInfo().stateless_resets_sent > 0);
        await connection.DisposeAsync();
    }

    [Fact]
    public async Task BothDirections_EachDialsTheOtherOnTheSameSockets_TwoWorkingConnections()
    {
        await using var a = Quic.Endpoint(TestIdentity.Alice);
        await using var b = Quic.Endpoint(TestIdentity.Bob);
        var ct = Quic.Token();
        var acceptAtA = a.AcceptConnectionAsync(ct).AsTask();
        var acceptAtB = b.AcceptConnectionAsync(ct).AsTask();
        var dialAB = a.ConnectAsync(b.LocalEndPoint, ct).AsTask();
        var dialBA = b.ConnectAsync(a.LocalEndPoint, ct).AsTask();
        var ab = await dialAB;
        var ba = await dialBA;
        var atA = await acceptAtA;
        var atB = await acceptAtB;
        Assert.Equal(TestIdentity.Bob.PublicKey, ab.PeerPublicKey.ToArray());
        Assert.Equal(TestIdentity.Alice.PublicKey, ba.PeerPublicKey.ToArray());
        Assert.Equal(TestIdentity.Bob.PublicKey, atA.PeerPublicKey.ToArray());
        Assert.Equal(TestIdentity.Alice.PublicKey, atB.PeerPublicKey.ToArray());
        await Task.WhenAll(HandshakeTests.EchoAsync(ab, atB), HandshakeTests.EchoAsync(ba, atA));
        foreach (var c in new[] { ab, ba, atA, atB })
        {
            await c.DisposeAsync();
        }
    }

    [Fact]
    public async Task ManyConnections_64ClientsToOneEndpoint_AllTransferIntact()
    {
        await using var server = Quic.Endpoint(TestIdentity.Bob);
        var clients = Enumerable.Range(0, 8).Select(_ => Quic.Endpoint(TestIdentity.Alice)).ToArray();
        var ct = Quic.Token(TimeSpan.FromSeconds(60));
        const int count = 64;
        var serving = Task.Run(async () =>
        {
            var handlers = new List<Task>();
            for (var i = 0; i < count; i++)
            {
                var conn = await server.AcceptConnectionAsync(ct);
                handlers.Add(Task.Run(async () =>
                {
                    await using var s = await conn.AcceptInboundStreamAsync(ct);
                    var (length, hash) = await s.ReadHashAsync(64 * 1024, ct);
                    await s.WriteAsync(hash, completeWrites: true, ct);
                    await conn.Closed.WaitAsync(ct); // the client closes once it has read the hash
                    Assert.Equal(QuicError.ConnectionAborted, conn.CloseReason!.Error);
                    await conn.DisposeAsync();
                }));
            }

            await Task.WhenAll(handlers);
        });
        var work = Enumerable.Range(0, count).Select(async i =>
        {
            // several connections share each client endpoint (one socket), the server demultiplexes by CID
            var conn = await clients[i % clients.Length].ConnectAsync(server.LocalEndPoint, ct);
            await using var s = await conn.OpenBidirectionalStreamAsync(ct);
            var sent = await s.WritePatternAsync(256 * 1024 + i, seed: i, chunk: 32 * 1024, ct);
            Assert.Equal(sent, await s.ReadToEndAsync(ct));
            await conn.CloseAsync(0, ct);
            await conn.DisposeAsync();
        }).ToArray();
        await Task.WhenAll(work);
        await serving;
        foreach (var c in clients)
        {
            await c.DisposeAsync();
        }
    }

    [Fact]
    public async Task DisposeEndpoint_OpenConnections_PeerSeesCloseAndLocalOperationsFail()
    {
        await using var server = Quic.Endpoint(TestIdentity.Bob);
        var client = Quic.Endpoint(TestIdentity.Alice);
        var (connection, accepted) = await Quic.ConnectAsync(client, server);
        var ct = Quic.Token();
        await using var stream = await connection.OpenBidirectionalStreamAsync(ct);
        var pendingRead = stream.ReadAsync(new byte[1], ct).AsTask();
        var pendingAccept = client.AcceptConnectionAsync(ct).AsTask();

        await client.DisposeAsync();
        await client.DisposeAsync(); // idempotent
        var read = await Assert.ThrowsAsync<QuicException>(() => pendingRead.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(QuicError.OperationAborted, read.Error);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => pendingAccept);
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await client.ConnectAsync(server.LocalEndPoint, ct));
        await accepted.Closed.WaitAsync(TimeSpan.FromSeconds(5)); // CONNECTION_CLOSE was sent
        Assert.Equal(QuicError.ConnectionAborted, accepted.CloseReason!.Error);
        await connection.DisposeAsync();
        await accepted.DisposeAsync();
    }

    [Fact]
    public async Task QuicTraffic_BetweenOurEndpoints_NeverSurfacesAsNonQuicDatagrams()
    {
        // ngtcp2 0.12 would clear the fixed bit on about half of all connections (RFC 9287 greasing) unless the shim
        // prevents it; a greased packet would fall into the non-QUIC channel if the demultiplexer ever missed it.
        await using var pair = new EndpointPair();
        for (var i = 0; i < 16; i++)
        {
            var (client, server) = await Quic.ConnectAsync(pair.Client, pair.Server);
            await HandshakeTests.EchoAsync(client, server);
            await client.DisposeAsync();
            await server.DisposeAsync();
        }

        Assert.False(pair.Client.NonQuicDatagrams.TryRead(out _));
        Assert.False(pair.Server.NonQuicDatagrams.TryRead(out _));
        Assert.Equal(0ul, pair.Client.GetInfo().greased_packets);
        Assert.Equal(0ul, pair.Server.GetInfo().greased_packets);
    }

    [Fact]
    public async Task NonQuicDatagrams_ShareTheSocket_WithQuicTraffic()
    {
        await using var pair = new EndpointPair();
        var (client, server) = await Quic.ConnectAsync(pair.Client, pair.Server);
        var ct = Quic.Token();
        byte[] punch = [0x00, 0x01, 0x02]; // first byte without 0x40: not QUIC (like STUN)
        await pair.Client.SendDatagramAsync(pair.Server.LocalEndPoint, punch, ct);
        var got = await pair.Server.NonQuicDatagrams.ReadAsync(ct);
        Assert.Equal(punch, got.Data.ToArray());
        Assert.Equal(pair.Client.LocalEndPoint, got.From);

        // a plain UDP socket can talk to the endpoint too (STUN servers do)
        using var udp = new System.Net.Sockets.UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        await udp.SendAsync(new byte[] { 0x01, 0x01, 0, 0 }, pair.Server.LocalEndPoint, ct);
        got = await pair.Server.NonQuicDatagrams.ReadAsync(ct);
        Assert.Equal(udp.Client.LocalEndPoint, got.From);
        await pair.Server.SendDatagramAsync((IPEndPoint)udp.Client.LocalEndPoint!, new byte[] { 0x01, 0x02 }, ct);
        var reply = await udp.ReceiveAsync(ct);
        Assert.Equal(new byte[] { 0x01, 0x02 }, reply.Buffer);

        await HandshakeTests.EchoAsync(client, server); // QUIC unaffected
        await client.DisposeAsync();
        await server.DisposeAsync();
    }
}

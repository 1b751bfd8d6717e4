using System.Net;
using System.Net.Sockets;

namespace HddFs.Quic.Tests;

/// <summary>Everything from the network is hostile: garbage must neither crash an endpoint nor disturb its
/// connections, and limits must hold.</summary>
public sealed class HostileInputTests
{
    [Fact]
    public async Task Garbage_AllShapesOfDatagrams_EndpointAndConnectionSurvive()
    {
        await using var pair = new EndpointPair();
        var (client, server) = await Quic.ConnectAsync(pair.Client, pair.Server);
        using var attacker = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        attacker.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var random = new Random(42);
        var target = pair.Server.LocalEndPoint;
        for (var i = 0; i < 3000; i++)
        {
            var length = random.Next(0, 1400);
            var datagram = new byte[length];
            random.NextBytes(datagram);
            if (length > 0)
            {
                datagram[0] = (i % 4) switch
                {
                    0 => (byte)(0xC0 | (datagram[0] & 0x3F)), // long header, fixed bit: Initial/0-RTT/Handshake/Retry
                    1 => (byte)(0x40 | (datagram[0] & 0x3F)), // short header, fixed bit: unknown connection
                    2 => (byte)(datagram[0] & 0x3F), // not QUIC: must reach the datagram channel
                    _ => datagram[0],
                };
            }

            if (length > 5 && i % 8 == 0)
            {
                datagram[1] = 0; // QUIC v1 long headers
                datagram[2] = 0;
                datagram[3] = 0;
                datagram[4] = 1;
            }

            await attacker.SendToAsync(datagram, target);
        }

        // replies to garbage (stateless resets, refusals) are rate-limited: no amplification
        var replies = await DrainAsync(attacker, TimeSpan.FromMilliseconds(500));
        Assert.InRange(replies.Count, 0, 250);
        Assert.All(replies, r => Assert.True(r.Length < 1300));

        // an Initial with an unknown version gets a Version Negotiation packet (version 0)
        var unknownVersion = new byte[1200];
        unknownVersion[0] = 0xC0;
        unknownVersion[1] = 0x1a;
        unknownVersion[2] = 0x2a;
        unknownVersion[3] = 0x3a;
        unknownVersion[4] = 0x4a;
        unknownVersion[5] = 8;
        await attacker.SendToAsync(unknownVersion, target);
        replies = await DrainAsync(attacker, TimeSpan.FromMilliseconds(1000));
        Assert.Contains(replies, r => r.Length > 7 && (r[0] & 0x80) != 0 && (r[1] | r[2] | r[3] | r[4]) == 0);

        await HandshakeTests.EchoAsync(client, server);
        var (c2, s2) = await Quic.ConnectAsync(pair.Client, pair.Server);
        await HandshakeTests.EchoAsync(c2, s2);
        foreach (var c in new[] { client, server, c2, s2 })
        {
            await c.DisposeAsync();
        }
    }

    private static async Task<List<byte[]>> DrainAsync(Socket socket, TimeSpan quiet)
    {
        var replies = new List<byte[]>();
        var buffer = new byte[2048];
        while (true)
        {
            using var cts = new CancellationTokenSource(quiet);
            try
            {
                var n = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
                replies.Add(buffer[..n]);
            }
            catch (OperationCanceledException)
            {
                return replies;
            }
        }
    }

    [Fact]
    public async Task MaxConnections_Reached_FurtherDialsAreRefused()
    {
        await using var server = Quic.Endpoint(TestIdentity.Bob, o => new QuicEndpointOptions
        {
            LocalEndPoint = o.LocalEndPoint,
            CertificatePem = o.CertificatePem,
            PrivateKeyPem = o.PrivateKeyPem,
            ApplicationProtocol = o.ApplicationProtocol,
            MaxConnections = 2,
        });
        await using var client = Quic.Endpoint(TestIdentity.Alice);
        var (a, sa) = await Quic.ConnectAsync(client, server);
        var (b, sb) = await Quic.ConnectAsync(client, server);
        var ex = await Assert.ThrowsAsync<QuicException>(async () => await client.ConnectAsync(server.LocalEndPoint, Quic.Token()));
        Assert.Equal(QuicError.ConnectionRefused, ex.Error);

        await a.CloseAsync(0);
        await sa.Closed.WaitAsync(Quic.Timeout);
        await sa.DisposeAsync();
        await a.DisposeAsync();
        // the slot frees once the server's connection is gone (after its draining period)
        QuicConnection? c = null;
        for (var attempt = 0; c is null && attempt < 50; attempt++)
        {
            try
            {
                c = await client.ConnectAsync(server.LocalEndPoint, Quic.Token());
            }
            catch (QuicException e) when (e.Error == QuicError.ConnectionRefused)
            {
                await Task.Delay(100);
            }
        }

        Assert.NotNull(c);
        var sc = await server.AcceptConnectionAsync(Quic.Token());
        foreach (var conn in new[] { b, sb, c, sc })
        {
            await conn.DisposeAsync();
        }
    }
}

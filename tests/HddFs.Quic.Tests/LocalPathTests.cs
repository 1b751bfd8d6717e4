using System.Net;
using HddFs.Testing;

namespace HddFs.Quic.Tests;

/// <summary>Paths to an address of this host run over the loopback device and, once the handshake is done, carry
/// packets up to <see cref="QuicEndpointOptions.MaxLocalDatagramSize"/> (capped by the route's MTU); every other path
/// keeps the standard size.</summary>
public sealed class LocalPathTests
{
    private const long Size = 16L << 20;

    [Theory]
    [InlineData("127.0.0.1", 65507, true)]
    [InlineData("127.0.0.1", 16000, true)] // several packets per GSO batch
    [InlineData("::1", 65507, true)]
    [InlineData("127.0.0.1", 0, false)]
    public async Task Transfer_OnLocalPath_UsesConfiguredPacketSize(string address, int maxLocalDatagramSize, bool large)
    {
        await using var pair = new EndpointPair(o => With(o, maxLocalDatagramSize), IPAddress.Parse(address));
        var (client, server) = await Quic.ConnectAsync(pair.Client, pair.Server);

        await TransferAsync(client, server);

        var packets = client.GetStatistics().DatagramsSent;
        if (large)
        {
            Assert.InRange(packets, Size / maxLocalDatagramSize, Size / 8000);
        }
        else
        {
            Assert.True(packets >= Size / 1452, $"{packets} packets for {Size} bytes: larger than the standard size");
        }

        await client.DisposeAsync();
        await server.DisposeAsync();
    }

    [Fact]
    public async Task Transfer_DualStackEndpointToIPv4Loopback_UsesLargePackets()
    {
        await using var server = Quic.Endpoint(TestIdentity.Bob, address: IPAddress.IPv6Any);
        await using var client = Quic.Endpoint(TestIdentity.Alice, address: IPAddress.IPv6Any);
        var port = server.LocalEndPoint.Port;
        using var cts = new CancellationTokenSource(Quic.Timeout);
        var accept = server.AcceptConnectionAsync(cts.Token).AsTask();
        var connection = await client.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cts.Token);
        var accepted = await accept;

        await TransferAsync(connection, accepted);

        Assert.True(connection.GetStatistics().DatagramsSent < Size / 8000, "an IPv4-mapped loopback path is a local path");
        await connection.DisposeAsync();
        await accepted.DisposeAsync();
    }

    [Theory]
    [InlineData(1199)]
    [InlineData(65508)]
    [InlineData(-1)]
    public void Create_InvalidMaxLocalDatagramSize_Throws(int size)
        => Assert.Throws<ArgumentOutOfRangeException>(() => Quic.Endpoint(TestIdentity.Alice, o => With(o, size)));

    /// <summary>Both endpoints on 127.0.0.1 inside one network namespace whose nftables input chain drops 5% of UDP
    /// datagrams (loopback traffic passes the input hook): every loss costs a whole 64 KiB packet.</summary>
    [SystemTheory(Needs.NetworkNamespaces)]
    [InlineData(QuicCongestionControl.Bbr)]
    [InlineData(QuicCongestionControl.Cubic)]
    public async Task Transfer_OnLocalPathWith5PercentLoss_ArrivesIntact(QuicCongestionControl congestionControl)
    {
        using var net = new NamespacePair(lossPercent: 5);
        QuicEndpointOptions Options(QuicEndpointOptions o) => new()
        {
            LocalEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            CertificatePem = o.CertificatePem,
            PrivateKeyPem = o.PrivateKeyPem,
            ApplicationProtocol = o.ApplicationProtocol,
            CongestionControl = congestionControl,
        };
        await using var server = NamespacePair.InNamespace(net.A, () => Quic.Endpoint(TestIdentity.Bob, Options));
        await using var client = NamespacePair.InNamespace(net.A, () => Quic.Endpoint(TestIdentity.Alice, Options));
        var (connection, accepted) = await Quic.ConnectAsync(client, server);

        await TransferAsync(connection, accepted, TimeSpan.FromSeconds(90));

        Assert.True(connection.GetStatistics().DatagramsSent < Size / 8000, "large packets on the namespace's loopback");
        Assert.True(net.Dropped(net.A) > 0, "the nft rule should have dropped about 5% of the datagrams");
        await connection.DisposeAsync();
        await accepted.DisposeAsync();
    }

    private static QuicEndpointOptions With(QuicEndpointOptions o, int maxLocalDatagramSize) => new()
    {
        LocalEndPoint = o.LocalEndPoint,
        CertificatePem = o.CertificatePem,
        PrivateKeyPem = o.PrivateKeyPem,
        ApplicationProtocol = o.ApplicationProtocol,
        MaxLocalDatagramSize = maxLocalDatagramSize,
    };

    /// <summary>Client → server, <see cref="Size"/> bytes on one stream, checked by length and SHA-256.</summary>
    private static Task TransferAsync(QuicConnection client, QuicConnection server, TimeSpan? timeout = null)
        => client.TransferAndVerifyAsync(server, Size, seed: 11, Quic.Token(timeout ?? TimeSpan.FromSeconds(60)));
}

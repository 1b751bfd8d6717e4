using System.Net;
using HddFs.Testing;

namespace HddFs.Quic.Tests;

/// <summary>Two endpoints in two network namespaces, 5% of UDP datagrams dropped in each direction by nftables.
/// GSO is off: over veth a GSO batch stays one skb up to the receiving socket, so nft would drop whole batches
/// (bursts of ~45 packets) instead of independent packets.</summary>
public sealed class LossTests
{
    [SystemTheory(Needs.NetworkNamespaces)]
    [InlineData(QuicCongestionControl.Bbr)]
    [InlineData(QuicCongestionControl.Cubic)]
    public async Task Transfer_With5PercentLoss_ArrivesIntact(QuicCongestionControl congestionControl)
    {
        using var net = new NamespacePair(lossPercent: 5);
        QuicEndpointOptions Options(QuicEndpointOptions o, string address) => new()
        {
            LocalEndPoint = new IPEndPoint(IPAddress.Parse(address), 0),
            CertificatePem = o.CertificatePem,
            PrivateKeyPem = o.PrivateKeyPem,
            ApplicationProtocol = o.ApplicationProtocol,
            CongestionControl = congestionControl,
            UseGso = false,
        };
        await using var server = NamespacePair.InNamespace(net.B, () => Quic.Endpoint(TestIdentity.Bob, o => Options(o, NamespacePair.AddressB)));
        await using var client = NamespacePair.InNamespace(net.A, () => Quic.Endpoint(TestIdentity.Alice, o => Options(o, NamespacePair.AddressA)));

        var (connection, accepted) = await Quic.ConnectAsync(client, server); // the handshake survives loss too
        var ct = Quic.Token(TimeSpan.FromSeconds(90));
        const long size = 24L << 20;
        await connection.TransferAndVerifyAsync(accepted, size, seed: 5, ct);

        var dropped = net.Dropped(net.A) + net.Dropped(net.B);
        Assert.True(dropped > (size / 1500 / 40), $"the nft rules should have dropped about 5% of the packets, dropped {dropped}");
        await connection.DisposeAsync();
        await accepted.DisposeAsync();
    }
}

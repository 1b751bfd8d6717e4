using System.Net;
using HddFs.Testing;

namespace HddFs.Integration.Tests;

/// <summary>The daemon learns its public endpoint with STUN over its own QUIC socket, and reports it.</summary>
public sealed class StunTests
{
    [Fact]
    public async Task Stun_OverTheQuicSocket_PublicEndpointAndNatReported()
    {
        // Two responders that both see our port mapped to port + 1000: a cone NAT (two are needed to
        // tell cone from symmetric; with one, the type stays "unknown").
        using var stun = new StunResponder(IPAddress.Loopback, StunResponderMode.XorMapped, portOffset: 1000);
        using var stun2 = new StunResponder(IPAddress.Loopback, StunResponderMode.XorMapped, portOffset: 1000);
        using var root = new TempDirectory("hddfs-stun");
        var port = Party.FreeUdpPort() % 50000 + 2000;
        await using var daemon = await DaemonProcess.StartAsync(
            Path.Combine(root.Path, "d"),
            ["start", "--topic", "t", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--no-mqtt", "--no-mdns", "--stun", stun.EndPoint.ToString(), "--stun", stun2.EndPoint.ToString()]);
        using var control = daemon.Control();
        HddFs.Daemon.Control.PeerStatus? self = null;
        await Wait.UntilAsync(
            () =>
            {
                self = control.GetPeersAsync(default).GetAwaiter().GetResult().Single(p => p.Self);
                return self.Nat is not null and not "unknown";
            },
            TimeSpan.FromSeconds(20),
            "the NAT report\n" + daemon.Output);

        Assert.Equal($"127.0.0.1:{port + 1000}", self!.Address);
        Assert.Equal("cone", self.Nat);
        Assert.Equal(port, stun.LastSource!.Port); // the query left from the QUIC socket itself
    }
}

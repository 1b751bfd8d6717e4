using System.Diagnostics;
using HddFs.Daemon.Control;
using HddFs.Testing;

namespace HddFs.Integration.Tests;

/// <summary>
/// `hddfs mount --topic foo` finds the other peers by itself: mDNS on a shared LAN, MQTT across a
/// router, never a peer of another topic, and a broker outage loses nothing. Every daemon runs in its
/// own network namespace (its mount stays visible to the test: only the network is entered).
/// </summary>
public sealed class DiscoveryTests
{
    [SystemFact(Needs.Fuse | Needs.NetworkNamespaces)]
    public async Task Mdns_TwoHostsOnOneBridge_SeeEachOtherWithin2s_OtherTopicNever()
    {
        using var lab = new NetworkNamespaceLab();
        var lan = lab.AddSwitch("lan");
        var hostA = lab.AddHost("a", lan, "10.91.0.2/24");
        var hostB = lab.AddHost("b", lan, "10.91.0.3/24");
        var hostC = lab.AddHost("c", lan, "10.91.0.4/24");
        using var root = new TempDirectory("hddfs-mdns");

        await using var c = await StartMount(root, "c", hostC, "other", []);
        await using var a = await StartMount(root, "a", hostA, "foo", []);
        await using var b = await StartMount(root, "b", hostB, "foo", []);
        var watch = Stopwatch.StartNew();
        await Wait.UntilAsync(() => Shows(a, b) && Shows(b, a), TimeSpan.FromSeconds(20), "a and b to show each other");
        var elapsed = watch.Elapsed;
        Assert.True(elapsed < TimeSpan.FromSeconds(2), $"mDNS discovery took {elapsed}");

        await Task.Delay(2000); // c had every chance to be found
        Assert.False(Shows(a, c) || Shows(b, c) || Shows(c, a) || Shows(c, b), "a peer of another topic was shown");
        Assert.DoesNotContain(await Peers(a), p => p.Name == c.Name);
        Assert.DoesNotContain(await Peers(c), p => !p.Self);
    }

    [SystemFact(Needs.Fuse | Needs.NetworkNamespaces | Needs.Mosquitto)]
    public async Task Mqtt_AcrossARouter_FindEachOther_AndBrokerOutageLosesNothing()
    {
        using var lab = new NetworkNamespaceLab();
        var lan1 = lab.AddSwitch("lan1");
        var lan2 = lab.AddSwitch("lan2");
        var router = lab.AddRouter("r", lan1, "10.92.1.1/24", lan2, "10.92.2.1/24", RouterNat.None);
        var hostA = lab.AddHost("a", lan1, "10.92.1.2/24", gateway: "10.92.1.1");
        var hostB = lab.AddHost("b", lan2, "10.92.2.2/24", gateway: "10.92.2.1");
        var hostC = lab.AddHost("c", lan1, "10.92.1.3/24", gateway: "10.92.1.1");
        var hostD = lab.AddHost("d", lan2, "10.92.2.3/24", gateway: "10.92.2.1");
        using var broker = new NamespacedBroker(router);
        using var root = new TempDirectory("hddfs-mqtt");
        string[] Mqtt(string gateway) => ["--mqtt", $"mqtt://{gateway}:{broker.Port}", "--no-mdns"];

        await using var c = await StartMount(root, "c", hostC, "other", Mqtt("10.92.1.1"));
        await using var a = await StartMount(root, "a", hostA, "foo", Mqtt("10.92.1.1"));
        await using var b = await StartMount(root, "b", hostB, "foo", Mqtt("10.92.2.1"));
        await Wait.UntilAsync(() => Shows(a, b) && Shows(b, a), TimeSpan.FromSeconds(15), "a and b to find each other through the broker");
        await Task.Delay(1500);
        Assert.False(Shows(a, c) || Shows(b, c) || Shows(c, a), "a peer of another topic was shown");

        // The broker goes away: connected peers stay connected and browsable.
        broker.Stop();
        await Task.Delay(3000);
        Assert.True(Shows(a, b) && Shows(b, a));
        Assert.Contains(await Peers(a), p => p.Name == b.Name && p.Connected);

        // A newcomer while the broker is down is not found... until the broker is back.
        await using var d = await StartMount(root, "d", hostD, "foo", Mqtt("10.92.2.1"));
        await Task.Delay(2000);
        Assert.False(Shows(a, d));
        broker.Start();
        await Wait.UntilAsync(() => Shows(a, d) && Shows(d, a) && Shows(d, b), TimeSpan.FromSeconds(45), "d to be found once the broker is back");
        Assert.True(Shows(a, b));
    }

    private sealed record Node(DaemonProcess Daemon, string Name, string MountPoint) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Daemon.DisposeAsync();
    }

    private static async Task<Node> StartMount(TempDirectory root, string role, NetworkNamespace ns, string topic, string[] discovery)
    {
        var share = Directory.CreateDirectory(Path.Combine(root.Path, role + "-share", "Stuff-" + role)).FullName;
        File.WriteAllText(Path.Combine(share, "hello.txt"), $"hello from {role}\n");
        var mount = Directory.CreateDirectory(Path.Combine(root.Path, role + "-mnt")).FullName;
        var daemon = await DaemonProcess.StartAsync(
            Path.Combine(root.Path, role + "-data"),
            ["mount", mount, "--topic", topic, "--share", share, "--port", "4433", .. discovery],
            mountPoint: mount,
            netns: ns.Name);
        using var control = daemon.Control();
        var name = (await control.GetIdentityAsync(default)).Name;
        return new Node(daemon, name, mount);
    }

    /// <summary>Whether <paramref name="viewer"/>'s mount shows <paramref name="shown"/>'s folder with its share.</summary>
    private static bool Shows(Node viewer, Node shown)
        => Directory.Exists(Path.Combine(viewer.MountPoint, shown.Name))
            && Directory.GetDirectories(Path.Combine(viewer.MountPoint, shown.Name)).Length > 0;

    private static async Task<PeerStatus[]> Peers(Node node)
    {
        using var control = node.Daemon.Control();
        return await control.GetPeersAsync(default);
    }
}

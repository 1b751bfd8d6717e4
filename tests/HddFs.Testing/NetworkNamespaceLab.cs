using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace HddFs.Testing;

/// <summary>How a router namespace forwards from its LAN leg to its WAN leg.</summary>
public enum RouterNat
{
    /// <summary>Plain routing, no translation.</summary>
    None,

    /// <summary>nft masquerade: keeps source ports where it can (an "easy", cone-like NAT).</summary>
    Masquerade,

    /// <summary>nft masquerade fully-random: a new random port per destination (a symmetric NAT).</summary>
    MasqueradeRandom,
}

/// <summary>
/// Builds throw-away test topologies from network namespaces: switches (a namespace holding a
/// bridge), hosts (a namespace with a veth leg on a switch) and routers (two legs, forwarding,
/// optional NAT). Nothing is created in the host's own namespace: every link lives inside lab
/// namespaces, so deleting them removes everything.
///
/// Names: every namespace is "hd-&lt;pid&gt;-&lt;lab&gt;-&lt;role&gt;". At construction, namespaces with that
/// prefix whose pid is no longer alive (leftovers of a crashed run) are deleted; namespaces of live
/// processes (a concurrent test run) are left alone. Dispose deletes this lab's namespaces and kills
/// the processes started in them, even after a failed test.
/// </summary>
public sealed partial class NetworkNamespaceLab : IDisposable
{
    private static int _labCounter;

    // Guarded by _gate: the namespaces created so far (disposed in reverse order).
    private readonly Lock _gate = new();
    private readonly List<NetworkNamespace> _namespaces = [];
    private readonly string _prefix;
    private readonly string _ifPrefix;
    private int _links;

    public NetworkNamespaceLab()
    {
        SweepLeftovers();
        var lab = Interlocked.Increment(ref _labCounter);
        _prefix = $"hd-{Environment.ProcessId}-{lab}-";
        // Interface names are at most 15 bytes; keep them unique across labs so a stale /sys lookup
        // by name (see NetworkNamespace) never lands on a host interface.
        _ifPrefix = "hv" + ToBase36(Environment.ProcessId) + ToBase36(lab);
    }

    /// <summary>All namespaces of this lab, in creation order.</summary>
    public IReadOnlyList<NetworkNamespace> Namespaces
    {
        get
        {
            lock (_gate)
            {
                return [.. _namespaces];
            }
        }
    }

    /// <summary>A switch: a namespace with one bridge ("br0") that hosts and routers plug into.</summary>
    public NetworkNamespace AddSwitch(string role = "sw")
    {
        var ns = Create(role);
        ns.Exec("ip", "link", "add", "br0", "type", "bridge");
        // No STP delay, no multicast snooping: frames (mDNS included) flood to every port at once.
        ns.Exec("ip", "link", "set", "br0", "type", "bridge", "forward_delay", "0", "mcast_snooping", "0");
        ns.Exec("ip", "link", "set", "br0", "up");
        return ns;
    }

    /// <summary>A host namespace with one leg on <paramref name="network"/> at <paramref name="cidr"/>
    /// (e.g. "10.71.0.2/24"), and a default route via <paramref name="gateway"/> if given.</summary>
    public NetworkNamespace AddHost(string role, NetworkNamespace network, string cidr, string? gateway = null)
    {
        var ns = Create(role);
        Connect(ns, network, cidr);
        if (gateway is not null)
        {
            ns.Exec("ip", "route", "add", "default", "via", gateway);
        }

        return ns;
    }

    /// <summary>
    /// A router between two switches: forwarding on, and NAT from the LAN leg out of the WAN leg as
    /// <paramref name="nat"/> says. Hosts on the LAN use <paramref name="lanCidr"/>'s address as gateway.
    /// </summary>
    public NetworkNamespace AddRouter(string role, NetworkNamespace lan, string lanCidr, NetworkNamespace wan, string wanCidr, RouterNat nat)
    {
        var ns = Create(role);
        Connect(ns, lan, lanCidr);
        var wanLeg = Connect(ns, wan, wanCidr);
        ns.Exec("sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
        if (nat != RouterNat.None)
        {
            var how = nat == RouterNat.MasqueradeRandom ? "masquerade fully-random" : "masquerade";
            ns.Exec("nft", "add table ip nat");
            ns.Exec("nft", "add chain ip nat post { type nat hook postrouting priority 100 ; }");
            ns.Exec("nft", $"add rule ip nat post oifname \"{wanLeg.Interface}\" {how}");
        }

        return ns;
    }

    /// <summary>Adds a leg to <paramref name="ns"/>: a veth pair whose other end joins the switch's bridge.</summary>
    public NetworkLeg Connect(NetworkNamespace ns, NetworkNamespace network, string cidr)
    {
        ArgumentNullException.ThrowIfNull(ns);
        ArgumentNullException.ThrowIfNull(network);
        var parts = cidr.Split('/');
        var address = IPAddress.Parse(parts[0]);
        var prefix = int.Parse(parts[1], CultureInfo.InvariantCulture);
        var n = Interlocked.Increment(ref _links);
        var inside = $"{_ifPrefix}h{n}";
        var port = $"{_ifPrefix}p{n}";
        // Created directly inside the two namespaces: the pair never exists in the host namespace.
        NetworkNamespaceCommand.Run("ip", "-n", network.Name, "link", "add", port, "type", "veth", "peer", "name", inside, "netns", ns.Name);
        network.Exec("ip", "link", "set", port, "master", "br0");
        network.Exec("ip", "link", "set", port, "up");
        ns.Exec("ip", "addr", "add", cidr, "dev", inside);
        ns.Exec("ip", "link", "set", inside, "up");
        WaitUntilUp(ns, inside);
        var leg = new NetworkLeg(inside, address, prefix);
        ns.AddLeg(leg);
        return leg;
    }

    /// <summary>
    /// Waits until a link has carrier (LOWER_UP, state UP): a veth is not usable for a few
    /// milliseconds after "ip link set up", and code enumerating interfaces at that moment would
    /// see it down. Fixture methods return only topologies that work.
    /// </summary>
    public static void WaitUntilUp(NetworkNamespace ns, string link, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(ns);
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(5));
        while (true)
        {
            var (code, stdout, _) = NetworkNamespaceCommand.TryRun("ip", "-n", ns.Name, "-o", "link", "show", "dev", link);
            if (code == 0 && stdout.Contains("LOWER_UP", StringComparison.Ordinal) && stdout.Contains("state UP", StringComparison.Ordinal))
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{link} in {ns.Name} did not come up: {stdout.Trim()}");
            }

            Thread.Sleep(10);
        }
    }

    private NetworkNamespace Create(string role)
    {
        if (!RoleRegex().IsMatch(role))
        {
            throw new ArgumentException("A role is 1-8 lower-case letters or digits.", nameof(role));
        }

        var ns = new NetworkNamespace(_prefix + role);
        lock (_gate)
        {
            _namespaces.Add(ns);
        }

        return ns;
    }

    public void Dispose()
    {
        List<NetworkNamespace> all;
        lock (_gate)
        {
            all = [.. _namespaces];
            _namespaces.Clear();
        }

        for (var i = all.Count - 1; i >= 0; i--)
        {
            all[i].Dispose();
        }
    }

    /// <summary>Deletes "hd-&lt;pid&gt;-..." namespaces whose creating process is gone.</summary>
    public static void SweepLeftovers()
    {
        if (!Directory.Exists("/run/netns"))
        {
            return;
        }

        foreach (var path in Directory.EnumerateFileSystemEntries("/run/netns"))
        {
            var name = System.IO.Path.GetFileName(path);
            var match = LeftoverRegex().Match(name);
            if (match.Success && !Directory.Exists("/proc/" + match.Groups[1].Value))
            {
                NetworkNamespaceCommand.TryRun("ip", "netns", "del", name);
            }
        }
    }

    private static string ToBase36(int value)
    {
        const string digits = "0123456789abcdefghijklmnopqrstuvwxyz";
        var s = "";
        do
        {
            s = digits[value % 36] + s;
            value /= 36;
        }
        while (value > 0);
        return s;
    }

    [GeneratedRegex("^[a-z0-9]{1,8}$")]
    private static partial Regex RoleRegex();

    [GeneratedRegex("^hd-([0-9]+)-[0-9]+-[a-z0-9]+$")]
    private static partial Regex LeftoverRegex();
}

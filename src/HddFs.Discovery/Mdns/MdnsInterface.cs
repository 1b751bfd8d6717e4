using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace HddFs.Discovery.Mdns;

/// <summary>An interface we run mDNS on: its index, IPv4 subnets (for the on-link check and A records)
/// and IPv6 addresses (AAAA records).</summary>
internal sealed record MdnsInterface(
    string Name,
    int Index,
    IReadOnlyList<(IPAddress Address, int PrefixLength)> IPv4,
    IReadOnlyList<IPAddress> IPv6)
{
    /// <summary>Interfaces that are up, multicast-capable, have IPv4 and (if given) are named.</summary>
    public static List<MdnsInterface> Enumerate(IReadOnlyList<string> names)
    {
        var result = new List<MdnsInterface>();
        foreach (var ni in NetworkInterface.GetAllNetworkInterfaces())
        {
            var named = names.Count > 0 && names.Contains(ni.Name, StringComparer.Ordinal);
            if (names.Count > 0 && !named)
            {
                continue;
            }

            if (!named && (ni.NetworkInterfaceType == NetworkInterfaceType.Loopback || !ni.SupportsMulticast))
            {
                continue;
            }

            // Inside a network namespace /sys is the host's, so the status can read Unknown: accept it.
            if (ni.OperationalStatus is not (OperationalStatus.Up or OperationalStatus.Unknown))
            {
                continue;
            }

            var properties = ni.GetIPProperties();
            var v4 = properties.UnicastAddresses
                .Where(u => u.Address.AddressFamily == AddressFamily.InterNetwork)
                .Select(u => (u.Address, u.PrefixLength))
                .ToList();
            var v6 = properties.UnicastAddresses
                .Where(u => u.Address.AddressFamily == AddressFamily.InterNetworkV6 && !u.Address.IsIPv6Multicast)
                .Select(u => u.Address)
                .ToList();
            var index = properties.GetIPv4Properties()?.Index;
            if (v4.Count == 0 || index is null)
            {
                continue;
            }

            result.Add(new MdnsInterface(ni.Name, index.Value, v4, v6));
        }

        return result;
    }

    /// <summary>RFC 6762 §11: accept only packets from a source on this link (one of our subnets, or
    /// IPv4 link-local).</summary>
    public bool IsOnLink(IPAddress source)
    {
        if (source.IsIPv4MappedToIPv6)
        {
            source = source.MapToIPv4();
        }

        if (source.AddressFamily != AddressFamily.InterNetwork)
        {
            return false;
        }

        var s = source.GetAddressBytes();
        if (s[0] == 169 && s[1] == 254)
        {
            return true;
        }

        foreach (var (address, prefix) in IPv4)
        {
            var a = address.GetAddressBytes();
            var bits = Math.Clamp(prefix, 0, 32);
            var mask = bits == 0 ? 0u : uint.MaxValue << (32 - bits);
            var sv = ((uint)s[0] << 24) | ((uint)s[1] << 16) | ((uint)s[2] << 8) | s[3];
            var av = ((uint)a[0] << 24) | ((uint)a[1] << 16) | ((uint)a[2] << 8) | a[3];
            if ((sv & mask) == (av & mask))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Same interface, same addresses: no need to reopen its socket.</summary>
    public bool SameAs(MdnsInterface other)
        => Name == other.Name && Index == other.Index && IPv4.SequenceEqual(other.IPv4) && IPv6.SequenceEqual(other.IPv6);
}

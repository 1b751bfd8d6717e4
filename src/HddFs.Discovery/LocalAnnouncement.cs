using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace HddFs.Discovery;

/// <summary>
/// What we tell peers about ourselves: the UDP port of our QUIC endpoint, our LAN addresses, the NAT
/// type and the public endpoint STUN observed (null when STUN failed: then it is simply not announced).
/// </summary>
public sealed record LocalAnnouncement
{
    /// <summary>At most this many endpoints go into one announcement (LAN addresses first).</summary>
    public const int MaxEndpoints = 16;

    public LocalAnnouncement(int port, IReadOnlyList<IPAddress> lanAddresses, NatType nat = NatType.Unknown, IPEndPoint? publicEndPoint = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, IPEndPoint.MaxPort);
        ArgumentNullException.ThrowIfNull(lanAddresses);
        Port = port;
        LanAddresses = [.. lanAddresses.Select(Normalize).Distinct()];
        Nat = nat;
        PublicEndPoint = publicEndPoint;
    }

    public int Port { get; }

    public IReadOnlyList<IPAddress> LanAddresses { get; }

    public NatType Nat { get; init; }

    /// <summary>The STUN-observed endpoint (IPv4-mapped addresses are stored as plain IPv4).</summary>
    public IPEndPoint? PublicEndPoint
    {
        get;
        init => field = value is null ? null : new IPEndPoint(Normalize(value.Address), value.Port);
    }

    /// <summary>Our announcement for <paramref name="port"/> with the machine's current LAN addresses.</summary>
    public static LocalAnnouncement ForPort(int port, NatType nat = NatType.Unknown, IPEndPoint? publicEndPoint = null)
        => new(port, CurrentLanAddresses(), nat, publicEndPoint);

    /// <summary>
    /// Unicast addresses of interfaces that are up: IPv4 and global IPv6. Loopback only when asked
    /// (it is useless to a remote peer); IPv6 link-local never (meaningless without a scope, which an
    /// MQTT announcement cannot carry; mDNS learns it from the packet instead).
    /// </summary>
    public static IReadOnlyList<IPAddress> CurrentLanAddresses(bool includeLoopback = false)
    {
        var result = new List<IPAddress>();
        NetworkInterface[] interfaces;
        try
        {
            interfaces = NetworkInterface.GetAllNetworkInterfaces();
        }
        catch (NetworkInformationException)
        {
            return result;
        }

        foreach (var ni in interfaces)
        {
            if (ni.OperationalStatus is not (OperationalStatus.Up or OperationalStatus.Unknown))
            {
                continue;
            }

            var loopback = ni.NetworkInterfaceType == NetworkInterfaceType.Loopback;
            if (loopback && !includeLoopback)
            {
                continue;
            }

            foreach (var u in ni.GetIPProperties().UnicastAddresses)
            {
                var a = u.Address;
                if (a.AddressFamily == AddressFamily.InterNetworkV6 && (a.IsIPv6LinkLocal || a.IsIPv6Multicast))
                {
                    continue;
                }

                if (a.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6 && !result.Contains(a))
                {
                    result.Add(a);
                }
            }
        }

        return result;
    }

    /// <summary>The endpoints to announce: LAN addresses with <see cref="Port"/>, then the public one.</summary>
    internal IReadOnlyList<(IPEndPoint EndPoint, bool IsPublic)> Endpoints()
    {
        var list = new List<(IPEndPoint, bool)>();
        foreach (var a in LanAddresses)
        {
            if (list.Count >= MaxEndpoints - (PublicEndPoint is null ? 0 : 1))
            {
                break;
            }

            list.Add((new IPEndPoint(a, Port), false));
        }

        if (PublicEndPoint is not null)
        {
            list.Add((PublicEndPoint, true));
        }

        return list;
    }

    /// <summary>Value equality (the address list by content), so finders can tell a real change.</summary>
    public bool Equals(LocalAnnouncement? other)
        => other is not null
           && Port == other.Port
           && Nat == other.Nat
           && Equals(PublicEndPoint, other.PublicEndPoint)
           && LanAddresses.SequenceEqual(other.LanAddresses);

    public override int GetHashCode() => HashCode.Combine(Port, Nat, PublicEndPoint, LanAddresses.Count);

    private static IPAddress Normalize(IPAddress a) => a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a;
}

using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace HddFs.Discovery.Mdns;

/// <summary>
/// Our DNS-SD names and records (RFC 6763). Names are random per process — instance
/// "&lt;12 hex&gt;._hddfs._udp.local", host "&lt;12 hex&gt;.local" — so they reveal neither the key nor the
/// machine, and are unlinkable across restarts. With 48 random bits a collision is negligible, which
/// is why we skip RFC 6762 §8.1 probing.
///
/// TXT record: "v=1", then one entry per topic "tN=&lt;binary&gt;" (N = 0, 1, ...; RFC 6763 §6.5 allows
/// binary values), each a sealed announcement (<see cref="Announcements.AnnouncementCodec"/>, mDNS
/// sub-key, no endpoint list: addresses come from the packet and the A/AAAA records).
/// </summary>
internal sealed class MdnsRecords
{
    public static readonly DnsName Service = DnsName.Parse("_hddfs._udp.local");
    public static readonly DnsName ServicesMeta = DnsName.Parse("_services._dns-sd._udp.local");

    /// <summary>At most this many "tN=" entries are read from one TXT record.</summary>
    public const int MaxEntriesRead = 16;

    private static readonly byte[] VersionEntry = Encoding.ASCII.GetBytes("v=1");

    public MdnsRecords()
    {
        Instance = Service.Prepend(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)));
        Host = DnsName.Parse(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)) + ".local");
    }

    public DnsName Instance { get; }

    public DnsName Host { get; }

    /// <summary>
    /// Our records for one interface: PTR (shared), SRV/TXT/A/AAAA (unique, cache-flush). An
    /// announcement puts them all in the answer section; a response to a query answers with the PTR and
    /// adds the rest (RFC 6763 §12). <paramref name="ttl"/> 0 makes it a goodbye.
    /// </summary>
    public DnsMessage Build(MdnsInterface iface, ushort port, IReadOnlyList<byte[]> topicEntries, uint ttl, bool unsolicited, bool includeMeta, ushort id = 0, IReadOnlyList<DnsQuestion>? questions = null)
    {
        var ptr = new DnsRecord(Service, DnsType.Ptr, ttl, new DnsPtrData(Instance));
        var rest = new List<DnsRecord>
        {
            new(Instance, DnsType.Srv, ttl, new DnsSrvData(0, 0, port, Host), CacheFlush: true),
            new(Instance, DnsType.Txt, ttl, new DnsTxtData(TxtStrings(topicEntries)), CacheFlush: true),
        };
        foreach (var (address, _) in iface.IPv4)
        {
            rest.Add(new DnsRecord(Host, DnsType.A, ttl, new DnsAddressData(address), CacheFlush: true));
        }

        foreach (var address in iface.IPv6)
        {
            var plain = new IPAddress(address.GetAddressBytes()); // no scope id on the wire
            rest.Add(new DnsRecord(Host, DnsType.Aaaa, ttl, new DnsAddressData(plain), CacheFlush: true));
        }

        var answers = new List<DnsRecord> { ptr };
        if (includeMeta)
        {
            answers.Add(new DnsRecord(ServicesMeta, DnsType.Ptr, ttl, new DnsPtrData(Service)));
        }

        return unsolicited
            ? DnsMessage.Response([.. answers, .. rest], id: id, questions: questions)
            : DnsMessage.Response(answers, rest, id, questions);
    }

    public static List<byte[]> TxtStrings(IReadOnlyList<byte[]> topicEntries)
    {
        var strings = new List<byte[]> { VersionEntry };
        for (var i = 0; i < topicEntries.Count; i++)
        {
            var key = Encoding.ASCII.GetBytes("t" + i.ToString(CultureInfo.InvariantCulture) + "=");
            strings.Add([.. key, .. topicEntries[i]]);
        }

        return strings;
    }

    /// <summary>The values of "tN=" entries (N: 1–2 digits), at most <see cref="MaxEntriesRead"/>; others ignored.</summary>
    public static List<byte[]> TopicEntries(DnsTxtData txt)
    {
        var values = new List<byte[]>();
        foreach (var s in txt.Strings)
        {
            var eq = Array.IndexOf(s, (byte)'=');
            if (eq is < 2 or > 3 || s[0] != (byte)'t' || !IsDigits(s.AsSpan(1, eq - 1)))
            {
                continue;
            }

            values.Add(s[(eq + 1)..]);
            if (values.Count == MaxEntriesRead)
            {
                break;
            }
        }

        return values;
    }

    /// <summary>Endpoints for a responder: the packet's source first, then its A/AAAA records for
    /// <paramref name="host"/>; IPv6 link-local ones get the receiving interface as scope.</summary>
    public static List<IPEndPoint> Endpoints(IPAddress source, IEnumerable<DnsRecord> records, DnsName? host, ushort port, int interfaceIndex)
    {
        var list = new List<IPEndPoint> { new(source.IsIPv4MappedToIPv6 ? source.MapToIPv4() : source, port) };
        if (host is null)
        {
            return list;
        }

        foreach (var r in records)
        {
            if (r.Type is not (DnsType.A or DnsType.Aaaa) || r.Data is not DnsAddressData a || !r.Name.Equals(host) || r.Ttl == 0)
            {
                continue;
            }

            var address = a.Address;
            if (address.AddressFamily == AddressFamily.InterNetworkV6 && address.IsIPv6LinkLocal)
            {
                address = new IPAddress(address.GetAddressBytes(), interfaceIndex);
            }

            if (IsUsable(address))
            {
                var endPoint = new IPEndPoint(address, port);
                if (!list.Contains(endPoint))
                {
                    list.Add(endPoint);
                }
            }
        }

        return list;
    }

    private static bool IsDigits(ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            if (b is < (byte)'0' or > (byte)'9')
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsUsable(IPAddress a)
        => a.AddressFamily == AddressFamily.InterNetwork
            ? !a.Equals(IPAddress.Any) && !a.Equals(IPAddress.Broadcast) && a.GetAddressBytes()[0] is < 224 and not 127
            : !a.Equals(IPAddress.IPv6Any) && !a.IsIPv6Multicast && !a.Equals(IPAddress.IPv6Loopback);
}

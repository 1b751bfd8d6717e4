using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace HddFs.Discovery.Stun;

/// <summary>What one STUN server said our endpoint is (null: it did not answer).</summary>
public sealed record StunObservation(IPEndPoint Server, IPEndPoint? Mapped);

/// <summary>Our NAT type and the public endpoint to announce (null when no server answered).</summary>
public sealed record NatReport(NatType Type, IPEndPoint? PublicEndPoint, IReadOnlyList<StunObservation> Observations);

/// <summary>
/// NAT type by asking two (or more) STUN servers from the same socket, in parallel:
/// every mapped endpoint is one of our own (port unchanged) ⇒ <see cref="NatType.Open"/>;
/// at least two answers, all the same ⇒ <see cref="NatType.Cone"/> (endpoint-independent mapping);
/// answers differ ⇒ <see cref="NatType.Symmetric"/>; fewer than two answers ⇒ Unknown. Never fails:
/// no answer at all is NAT Unknown with no public endpoint, and the daemon simply does not announce one.
/// </summary>
public static class NatDetector
{
    /// <summary>Public servers a daemon may use when the user gives none.</summary>
    public static IReadOnlyList<string> DefaultServers { get; } = ["stun.l.google.com:19302", "stun1.l.google.com:19302", "stun.cloudflare.com:3478"];

    /// <param name="localEndPoint">The socket's bound endpoint (its port decides "no NAT").</param>
    /// <param name="localAddresses">Our own addresses; null: every interface address of this machine.</param>
    public static async Task<NatReport> DetectAsync(StunClient client, IReadOnlyList<IPEndPoint> servers, IPEndPoint? localEndPoint, IReadOnlyCollection<IPAddress>? localAddresses, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(servers);
        var answers = await Task.WhenAll(servers.Select(async s => new StunObservation(s, await client.QueryAsync(s, cancellationToken))));
        var addresses = new HashSet<IPAddress>(localAddresses ?? LocalAnnouncement.CurrentLanAddresses(includeLoopback: true));
        if (localEndPoint is not null && !localEndPoint.Address.Equals(IPAddress.Any) && !localEndPoint.Address.Equals(IPAddress.IPv6Any))
        {
            addresses.Add(localEndPoint.Address);
        }

        return Classify(answers, localEndPoint?.Port ?? 0, addresses);
    }

    /// <summary>The classification alone (pure).</summary>
    public static NatReport Classify(IReadOnlyList<StunObservation> observations, int localPort, IReadOnlyCollection<IPAddress> localAddresses)
    {
        ArgumentNullException.ThrowIfNull(observations);
        ArgumentNullException.ThrowIfNull(localAddresses);
        var mapped = observations.Where(o => o.Mapped is not null).Select(o => o.Mapped!).ToList();
        if (mapped.Count == 0)
        {
            return new NatReport(NatType.Unknown, null, observations);
        }

        var type = mapped.All(m => m.Port == localPort && localAddresses.Contains(m.Address))
            ? NatType.Open
            : mapped.Count < 2
                ? NatType.Unknown
                : mapped.All(m => m.Equals(mapped[0])) ? NatType.Cone : NatType.Symmetric;
        return new NatReport(type, mapped[0], observations);
    }

    /// <summary>Resolves "host:port" / "[v6]:port" entries; unresolvable ones are skipped (offline is normal).</summary>
    /// <param name="preferred">The family to pick when a name has both (the one the socket speaks).</param>
    public static async Task<IReadOnlyList<IPEndPoint>> ResolveAsync(IEnumerable<string> servers, AddressFamily preferred, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(servers);
        var result = new List<IPEndPoint>();
        foreach (var entry in servers)
        {
            var colon = entry.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(entry.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            {
                continue;
            }

            var host = entry[..colon].Trim('[', ']');
            try
            {
                var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);
                var pick = addresses.FirstOrDefault(a => a.AddressFamily == preferred) ?? addresses.FirstOrDefault();
                if (pick is not null)
                {
                    result.Add(new IPEndPoint(pick, port));
                }
            }
            catch (SocketException)
            {
            }
        }

        return result;
    }
}

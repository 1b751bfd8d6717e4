using System.Net;
using HddFs.Core;
using HddFs.Peers.Rpc;

namespace HddFs.Peers.Connections;

/// <summary>What the manager knows of one peer. Every mutable field is guarded by the manager's lock.</summary>
internal sealed class PeerState(PeerId id, RemotePeerShares shares)
{
    public const int MaxEndpoints = 8;

    public PeerId Id { get; } = id;

    public RemotePeerShares Shares { get; } = shares;

    /// <summary>The admitted connection in use, or null while disconnected.</summary>
    public PeerConnection? Connection { get; set; }

    /// <summary>Addresses to dial, most recently learned first.</summary>
    public List<IPEndPoint> Endpoints { get; } = [];

    /// <summary>How we know the peer: "manual", "mqtt", "mdns", "inbound".</summary>
    public SortedSet<string> Sources { get; } = new(StringComparer.Ordinal);

    /// <summary>Dialed because the user named its address (--peer): never given up on.</summary>
    public bool Manual { get; set; }

    public DateTimeOffset LastDiscovered { get; set; }

    public DateTimeOffset? DisconnectedSince { get; set; }

    /// <summary>Shown in the party (mount root, `hddfs peers`); false once the grace period passed.</summary>
    public bool Visible { get; set; }

    /// <summary>A dial loop for this peer is running (at most one).</summary>
    public bool Dialing { get; set; }

    /// <summary>Topics of the last admitted connection.</summary>
    public IReadOnlyList<TopicKey> Topics { get; set; } = [];

    public void AddEndpoint(IPEndPoint endpoint)
    {
        var normalized = Normalize(endpoint);
        Endpoints.Remove(normalized);
        Endpoints.Insert(0, normalized);
        if (Endpoints.Count > MaxEndpoints)
        {
            Endpoints.RemoveAt(Endpoints.Count - 1);
        }
    }

    /// <summary>IPv4-mapped IPv6 addresses (from a dual-stack socket) are kept as plain IPv4.</summary>
    public static IPEndPoint Normalize(IPEndPoint endpoint)
        => endpoint.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(endpoint.Address.MapToIPv4(), endpoint.Port) : endpoint;
}

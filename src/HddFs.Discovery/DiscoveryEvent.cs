using System.Net;
using HddFs.Core;

namespace HddFs.Discovery;

/// <summary>Which mechanism reported a peer.</summary>
public enum DiscoverySource
{
    Mqtt,
    Mdns,

    /// <summary>Reported by the daemon itself (e.g. a <c>--peer</c> whose key it learned on connect).</summary>
    Manual,
}

/// <summary>A peer's NAT as learned by STUN (its own, announced) — decides who initiates a punch.</summary>
public enum NatType : byte
{
    /// <summary>Not measured, or no STUN server answered.</summary>
    Unknown = 0,

    /// <summary>No NAT: the mapped address is one of our own, port unchanged.</summary>
    Open = 1,

    /// <summary>Endpoint-independent mapping ("easy"): two servers saw the same public port.</summary>
    Cone = 2,

    /// <summary>Mapping depends on the destination ("hard"): two servers saw different ports.</summary>
    Symmetric = 3,
}

/// <summary>Why a (peer, topic) stopped being discovered.</summary>
public enum DepartureReason
{
    /// <summary>The peer said goodbye (signed), on shutdown or when it left the topic.</summary>
    Goodbye,

    /// <summary>Nothing fresh from the peer within the validity it announced.</summary>
    Expired,

    /// <summary>We left the topic ourselves.</summary>
    TopicLeft,
}

/// <summary>What discovery reports, in order: a peer became known or changed, or it went away.</summary>
/// <param name="Peer">The peer's key (verified: the announcement was signed with it).</param>
/// <param name="Topic">The topic the peer was found on (the same peer may be found on several).</param>
/// <param name="Source">The mechanism behind this event.</param>
public abstract record DiscoveryEvent(PeerId Peer, TopicKey Topic, DiscoverySource Source)
{
    /// <summary>The peer's own timestamp of the announcement behind this event (its clock, signed).
    /// Orders a goodbye against announcements of other mechanisms still in flight.</summary>
    internal DateTimeOffset AnnouncedAt { get; init; }
}

/// <summary>
/// A peer found on a topic. <paramref name="Endpoints"/> are candidates, most local first (LAN
/// addresses, then the publicly observed one); none is trusted until a QUIC handshake proves the key.
/// </summary>
/// <param name="Endpoints">Candidate UDP endpoints, de-duplicated, LAN first.</param>
/// <param name="Nat">The NAT type the peer announced for itself.</param>
/// <param name="PublicEndPoint">The peer's STUN-observed public endpoint, if it announced one.</param>
/// <param name="Seen">When the newest announcement behind this was received (TimeProvider time).</param>
/// <param name="ValidFor">How long after <paramref name="Seen"/> the sighting stays valid without a fresh one.</param>
public sealed record DiscoveredPeer(
    PeerId Peer,
    TopicKey Topic,
    IReadOnlyList<IPEndPoint> Endpoints,
    DiscoverySource Source,
    NatType Nat,
    DateTimeOffset Seen,
    TimeSpan ValidFor,
    IPEndPoint? PublicEndPoint = null) : DiscoveryEvent(Peer, Topic, Source);

/// <summary>A peer that is no longer discovered on a topic.</summary>
public sealed record DepartedPeer(
    PeerId Peer,
    TopicKey Topic,
    DiscoverySource Source,
    DepartureReason Reason,
    DateTimeOffset At) : DiscoveryEvent(Peer, Topic, Source);

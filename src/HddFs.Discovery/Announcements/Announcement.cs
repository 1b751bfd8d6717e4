using System.Net;
using HddFs.Core;

namespace HddFs.Discovery.Announcements;

/// <summary>One announced endpoint; <paramref name="IsPublic"/> marks the STUN-observed one.</summary>
internal readonly record struct AnnouncedEndpoint(IPEndPoint EndPoint, bool IsPublic);

/// <summary>
/// A peer's signed statement "I am <see cref="Peer"/>, reachable here, as of <see cref="Timestamp"/>",
/// after decryption and signature verification (see <see cref="AnnouncementCodec"/>).
/// </summary>
internal sealed record Announcement(
    PeerId Peer,
    long TimestampMs,
    ulong Sequence,
    bool IsGoodbye,
    TimeSpan ValidFor,
    NatType Nat,
    ushort Port,
    IReadOnlyList<AnnouncedEndpoint> Endpoints)
{
    public DateTimeOffset Timestamp => DateTimeOffset.FromUnixTimeMilliseconds(TimestampMs);

    /// <summary>Lexicographic (timestamp, sequence): strictly newer wins, everything else is a replay.</summary>
    public bool IsNewerThan(long timestampMs, ulong sequence)
        => TimestampMs > timestampMs || (TimestampMs == timestampMs && Sequence > sequence);
}

/// <summary>Why a received announcement was ignored (each has a test).</summary>
internal enum AnnouncementRejection
{
    None = 0,

    /// <summary>Wrong size, bad version/flags/field values, trailing bytes.</summary>
    Malformed,

    /// <summary>AEAD failed: another topic, another purpose, or tampered bytes.</summary>
    Undecryptable,

    /// <summary>The signature does not verify under the announced key (forged, or signed by another key).</summary>
    BadSignature,

    /// <summary>Timestamp outside the freshness window around our clock.</summary>
    Stale,

    /// <summary>Not newer than the newest (timestamp, sequence) already accepted for this peer and topic.</summary>
    Replay,

    /// <summary>Our own announcement (echoed by the broker or looped back by multicast).</summary>
    Own,
}

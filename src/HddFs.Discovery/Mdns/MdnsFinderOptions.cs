namespace HddFs.Discovery.Mdns;

/// <summary>Settings of <see cref="MdnsPeerFinder"/>; the defaults follow RFC 6762 where it matters.</summary>
public sealed record MdnsFinderOptions
{
    /// <summary>Interface names to use; empty: every interface that is up, multicast-capable and has an
    /// IPv4 address (loopback excluded). Re-enumerated every <see cref="InterfaceRescanInterval"/>.</summary>
    public IReadOnlyList<string> Interfaces { get; init; } = [];

    /// <summary>TTL of our records and validity of our mDNS sightings (RFC 6762 §10: 120 s for host records).</summary>
    public TimeSpan RecordTtl { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>Unsolicited announcements at start and after a change (RFC 6762 §8.3: at least 2).</summary>
    public int AnnounceCount { get; init; } = 3;

    /// <summary>Gap between the first two announcements; doubles after (RFC 6762 §8.3: 1 s).</summary>
    public TimeSpan AnnounceInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Cap of the continuous-query interval, which starts at 1 s and doubles (RFC 6762 §5.2
    /// allows up to 60 min; we cap lower so a missed announcement is recovered within a minute —
    /// known-answer suppression keeps the traffic small).</summary>
    public TimeSpan MaxQueryInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How often interfaces are re-enumerated (new Wi-Fi, VPN up/down, cable plugged).</summary>
    public TimeSpan InterfaceRescanInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>At most this many topics are advertised in one TXT record (one ~150-byte entry each,
    /// so a response stays under a 1500-byte MTU). Extra topics are found through MQTT only.</summary>
    public int MaxTopics { get; init; } = 8;

    /// <summary>
    /// Runs the given action synchronously in the network context where the finder's sockets must
    /// live (tests: a thread inside a network namespace). Interface enumeration and socket creation
    /// happen inside it; sockets keep their namespace afterwards. Null: the calling thread.
    /// </summary>
    internal Action<Action>? NetworkContext { get; init; }
}

using System.Threading.Channels;
using HddFs.Core;

namespace HddFs.Discovery;

/// <summary>
/// One discovery mechanism (MQTT broker, mDNS on the LAN, ...). Small on purpose, like syncthing's
/// discover.Finder: <see cref="DiscoveryManager"/> fans out to several and merges what they report.
///
/// Contract: <see cref="StartAsync"/> returns promptly and never throws because a network, broker or
/// interface is unavailable — the finder retries in the background and says so in
/// <see cref="Status"/>. It announces only after <see cref="SetLocalInfo"/> (before that it listens).
/// <see cref="SetTopics"/> and <see cref="SetLocalInfo"/> may be called at any time, from any thread,
/// and take effect at once (announce on join, goodbye on leave). Everything received is hostile:
/// only verified, fresh, non-replayed announcements of other peers reach <see cref="Events"/>.
/// </summary>
public interface IPeerFinder : IAsyncDisposable
{
    /// <summary>Short name for logs and status ("mqtt", "mdns").</summary>
    string Name { get; }

    /// <summary>One line for humans: connected, retrying, listening on which interfaces.</summary>
    string Status { get; }

    /// <summary>
    /// Sightings (<see cref="DiscoveredPeer"/>, one per accepted announcement, refreshes included)
    /// and signed goodbyes (<see cref="DepartedPeer"/>). Bounded: the finder waits when it is full.
    /// Completes when the finder is disposed.
    /// </summary>
    ChannelReader<DiscoveryEvent> Events { get; }

    ValueTask StartAsync(CancellationToken cancellationToken);

    /// <summary>The topics to announce on and listen to; replaces the previous set.</summary>
    void SetTopics(IReadOnlyCollection<TopicKey> topics);

    /// <summary>Our port, addresses and NAT type; re-announced at once when it changed.</summary>
    void SetLocalInfo(LocalAnnouncement info);
}

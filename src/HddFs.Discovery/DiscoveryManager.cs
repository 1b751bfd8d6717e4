using System.Net;
using System.Threading.Channels;
using HddFs.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace HddFs.Discovery;

/// <summary>
/// Fans out to several <see cref="IPeerFinder"/>s and merges what they report into one ordered,
/// bounded stream of <see cref="DiscoveryEvent"/>s, de-duplicated per (peer, topic):
/// <list type="bullet">
/// <item>a <see cref="DiscoveredPeer"/> is emitted when a (peer, topic) first appears, when its merged
/// endpoints, NAT type or public endpoint change, and when it comes back after leaving — not for every
/// periodic re-announcement (those only refresh its last-seen time, see <see cref="Snapshot"/>);</item>
/// <item>a <see cref="DepartedPeer"/> when the peer says goodbye (any mechanism: a goodbye is signed and
/// means the peer left), when every mechanism's sighting has outlived its validity, or when we leave
/// the topic.</item>
/// </list>
/// Endpoints are merged across mechanisms: mDNS (on-link) first, then manual, then MQTT.
///
/// Threading: one loop task owns the merge state; finders' events and our own commands reach it through
/// one bounded input channel, so events keep their order. Lock order: only <c>_gate</c>, held for
/// dictionary reads/writes, never across an await.
/// </summary>
public sealed class DiscoveryManager : IAsyncDisposable
{
    /// <summary>Goodbye tombstones outlive in-flight announcements sent just before the goodbye.</summary>
    private static readonly TimeSpan TombstoneLifetime = TimeSpan.FromMinutes(10);

    /// <summary>
    /// A peer shutting down says goodbye on each mechanism, not at one instant: its mDNS finder may
    /// still answer a query a few milliseconds after its MQTT goodbye. Announcements from another
    /// mechanism stamped (by the peer's own clock) within this grace after a goodbye belong to that
    /// shutdown and are ignored; the same mechanism is ordered, so there the goodbye time is exact.
    /// </summary>
    internal static readonly TimeSpan CrossSourceGoodbyeGrace = TimeSpan.FromSeconds(1);

    private readonly IReadOnlyList<IPeerFinder> _finders;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly int _maxEntries;
    private readonly Channel<object> _input;
    private readonly Channel<DiscoveryEvent> _output;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _tasks = [];

    // Guarded by _gate: merge state (written only by the loop task), topics, lifecycle flags.
    private readonly Lock _gate = new();
    private readonly Dictionary<(PeerId Peer, string Rendezvous), Entry> _entries = [];
    private readonly Dictionary<(PeerId Peer, string Rendezvous), (DateTimeOffset At, DiscoverySource Source)> _tombstones = [];
    private Dictionary<string, TopicKey> _topics = [];
    private bool _started;
    private bool _disposed;

    public DiscoveryManager(
        IEnumerable<IPeerFinder> finders,
        TimeProvider? timeProvider = null,
        ILogger<DiscoveryManager>? logger = null,
        int capacity = 256,
        int maxEntries = 4096)
    {
        ArgumentNullException.ThrowIfNull(finders);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEntries, 1);
        _finders = [.. finders];
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _maxEntries = maxEntries;
        _input = Channel.CreateBounded<object>(new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        _output = Channel.CreateBounded<DiscoveryEvent>(new BoundedChannelOptions(capacity) { SingleReader = false, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
    }

    /// <summary>The finders this manager owns (disposed with it).</summary>
    public IReadOnlyList<IPeerFinder> Finders => _finders;

    /// <summary>Merged events, in order. Bounded: when nobody reads, finders are slowed down, nothing grows.</summary>
    public ChannelReader<DiscoveryEvent> Events => _output.Reader;

    /// <summary>Starts every finder (each returns promptly even when its network is down) and the merge loop.</summary>
    public async ValueTask StartAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_started)
            {
                return;
            }

            _started = true;
        }

        _tasks.Add(Task.Run(() => LoopAsync(_stop.Token), CancellationToken.None));
        foreach (var finder in _finders)
        {
            _tasks.Add(Task.Run(() => PumpAsync(finder, _stop.Token), CancellationToken.None));
        }

        foreach (var finder in _finders)
        {
            try
            {
                await finder.StartAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A finder must not throw here; if one does, the others still run.
                _logger.FinderStartFailed(finder.Name, ex);
            }
        }
    }

    /// <summary>Joins/leaves topics on every finder; (peer, topic)s of left topics depart (TopicLeft).</summary>
    public void SetTopics(IReadOnlyCollection<TopicKey> topics)
    {
        ArgumentNullException.ThrowIfNull(topics);
        var map = topics.DistinctBy(t => t.RendezvousId).ToDictionary(t => t.RendezvousId);
        lock (_gate)
        {
            _topics = map;
        }

        foreach (var finder in _finders)
        {
            finder.SetTopics(topics);
        }

        // The loop drops left topics' entries in order with the events around it.
        _ = _input.Writer.TryWrite(TopicsChanged.Instance) || QueueTopicsChanged();
    }

    public void SetLocalInfo(LocalAnnouncement info)
    {
        ArgumentNullException.ThrowIfNull(info);
        foreach (var finder in _finders)
        {
            finder.SetLocalInfo(info);
        }
    }

    /// <summary>
    /// Feeds an event from outside the finders (e.g. <see cref="DiscoverySource.Manual"/> after the
    /// daemon learned a <c>--peer</c>'s key); merged like any other.
    /// </summary>
    public ValueTask ReportAsync(DiscoveryEvent discoveryEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(discoveryEvent);
        return _input.Writer.WriteAsync(discoveryEvent, cancellationToken);
    }

    /// <summary>Every (peer, topic) currently known, merged, with its last-seen time.</summary>
    public IReadOnlyList<DiscoveredPeer> Snapshot()
    {
        lock (_gate)
        {
            return [.. _entries.Values.Select(e => e.Merged(DiscoverySourceOrder[0]))];
        }
    }

    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        // Finders first, together, so their goodbyes leave at nearly the same moment (see
        // CrossSourceGoodbyeGrace) while the loop can still drain their events.
        await Task.WhenAll(_finders.Select(async finder =>
        {
            try
            {
                await finder.DisposeAsync();
            }
            catch (Exception ex)
            {
                _logger.FinderDisposeFailed(finder.Name, ex);
            }
        }));

        await _stop.CancelAsync();
        try
        {
            await Task.WhenAll(_tasks);
        }
        catch (OperationCanceledException)
        {
        }

        _output.Writer.TryComplete();
        _stop.Dispose();
    }

    private bool QueueTopicsChanged()
    {
        // Input full: deliver the command without blocking the caller.
        _ = Task.Run(async () =>
        {
            try
            {
                await _input.Writer.WriteAsync(TopicsChanged.Instance, _stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or ChannelClosedException)
            {
            }
        });
        return true;
    }

    private async Task PumpAsync(IPeerFinder finder, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var e in finder.Events.ReadAllAsync(cancellationToken))
            {
                await _input.Writer.WriteAsync(e, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception ex)
        {
            _logger.PumpFailed(finder.Name, ex);
        }
    }

    private async Task LoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var wait = NextExpiry() is { } next ? next - _time.GetUtcNow() : TimeSpan.FromSeconds(30);
                if (await ChannelWaits.WaitToReadAsync(_input.Reader, wait, _time, cancellationToken))
                {
                    while (_input.Reader.TryRead(out var item))
                    {
                        foreach (var e in Handle(item))
                        {
                            await _output.Writer.WriteAsync(e, cancellationToken);
                        }
                    }
                }

                foreach (var e in Expire())
                {
                    await _output.Writer.WriteAsync(e, cancellationToken);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // The loop survives anything; a bug costs one item, not discovery.
                _logger.LoopFailed("manager", ex);
            }
        }
    }

    private List<DiscoveryEvent> Handle(object item)
    {
        var events = new List<DiscoveryEvent>();
        lock (_gate)
        {
            switch (item)
            {
                case DiscoveredPeer found:
                    OnFound(found, events);
                    break;
                case DepartedPeer departed:
                    OnDeparted(departed, events);
                    break;
                case TopicsChanged:
                    OnTopicsChanged(events);
                    break;
            }
        }

        return events;
    }

    // Lock held.
    private void OnFound(DiscoveredPeer found, List<DiscoveryEvent> events)
    {
        var key = (found.Peer, found.Topic.RendezvousId);
        if (!_topics.ContainsKey(key.RendezvousId))
        {
            return; // late sighting on a topic we already left
        }

        if (_tombstones.TryGetValue(key, out var goodbye))
        {
            var announced = found.AnnouncedAt == default ? found.Seen : found.AnnouncedAt;
            var until = goodbye.Source == found.Source ? goodbye.At : goodbye.At + CrossSourceGoodbyeGrace;
            if (announced <= until)
            {
                return; // announced before (or during) its goodbye, delivered after it
            }

            _tombstones.Remove(key);
        }

        if (!_entries.TryGetValue(key, out var entry))
        {
            if (_entries.Count >= _maxEntries)
            {
                _logger.TooManyPeers(_maxEntries, found.Peer);
                return;
            }

            entry = new Entry(found.Peer, found.Topic);
            _entries[key] = entry;
        }

        var before = entry.Fingerprint();
        var isNew = entry.Sightings.Count == 0;
        entry.Sightings[found.Source] = new Sighting(found.Endpoints, found.Nat, found.PublicEndPoint, found.Seen, found.Seen + found.ValidFor);
        if (isNew || entry.Fingerprint() != before)
        {
            events.Add(entry.Merged(found.Source));
            _logger.Discovered(found.Peer, found.Topic, found.Source);
        }
    }

    // Lock held.
    private void OnDeparted(DepartedPeer departed, List<DiscoveryEvent> events)
    {
        var key = (departed.Peer, departed.Topic.RendezvousId);
        if (departed.Reason == DepartureReason.Goodbye)
        {
            _tombstones[key] = (departed.AnnouncedAt == default ? departed.At : departed.AnnouncedAt, departed.Source);
        }

        if (_entries.Remove(key))
        {
            events.Add(departed);
            _logger.Departed(departed.Peer, departed.Topic, departed.Source, departed.Reason);
        }
    }

    // Lock held.
    private void OnTopicsChanged(List<DiscoveryEvent> events)
    {
        var now = _time.GetUtcNow();
        foreach (var (key, entry) in _entries.Where(e => !_topics.ContainsKey(e.Key.Rendezvous)).ToList())
        {
            _entries.Remove(key);
            events.Add(new DepartedPeer(entry.Peer, entry.Topic, entry.LatestSource, DepartureReason.TopicLeft, now));
        }

        foreach (var key in _tombstones.Keys.Where(k => !_topics.ContainsKey(k.Rendezvous)).ToList())
        {
            _tombstones.Remove(key);
        }
    }

    private DateTimeOffset? NextExpiry()
    {
        lock (_gate)
        {
            DateTimeOffset? next = null;
            foreach (var entry in _entries.Values)
            {
                foreach (var s in entry.Sightings.Values)
                {
                    if (next is null || s.ExpiresAt < next)
                    {
                        next = s.ExpiresAt;
                    }
                }
            }

            return next;
        }
    }

    private List<DiscoveryEvent> Expire()
    {
        var events = new List<DiscoveryEvent>();
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            foreach (var (key, entry) in _entries.ToList())
            {
                var before = entry.Fingerprint();
                DiscoverySource? lastExpired = null;
                foreach (var (source, sighting) in entry.Sightings.ToList())
                {
                    if (sighting.ExpiresAt <= now)
                    {
                        entry.Sightings.Remove(source);
                        lastExpired = source;
                    }
                }

                if (lastExpired is null)
                {
                    continue;
                }

                if (entry.Sightings.Count == 0)
                {
                    _entries.Remove(key);
                    events.Add(new DepartedPeer(entry.Peer, entry.Topic, lastExpired.Value, DepartureReason.Expired, now));
                    _logger.Departed(entry.Peer, entry.Topic, lastExpired.Value, DepartureReason.Expired);
                }
                else if (entry.Fingerprint() != before)
                {
                    events.Add(entry.Merged(lastExpired.Value));
                }
            }

            foreach (var key in _tombstones.Where(t => now - t.Value.At > TombstoneLifetime).Select(t => t.Key).ToList())
            {
                _tombstones.Remove(key);
            }
        }

        return events;
    }

    /// <summary>Merge order of endpoints: on-link first.</summary>
    private static readonly DiscoverySource[] DiscoverySourceOrder = [DiscoverySource.Mdns, DiscoverySource.Manual, DiscoverySource.Mqtt];

    private sealed class TopicsChanged
    {
        public static readonly TopicsChanged Instance = new();
    }

    private sealed record Sighting(IReadOnlyList<IPEndPoint> Endpoints, NatType Nat, IPEndPoint? PublicEndPoint, DateTimeOffset Seen, DateTimeOffset ExpiresAt);

    /// <summary>One (peer, topic): the latest sighting per mechanism. Owned by the loop; read under the lock.</summary>
    private sealed class Entry(PeerId peer, TopicKey topic)
    {
        public PeerId Peer { get; } = peer;

        public TopicKey Topic { get; } = topic;

        public Dictionary<DiscoverySource, Sighting> Sightings { get; } = [];

        public DiscoverySource LatestSource => Sightings.Count == 0 ? DiscoverySource.Manual : Sightings.MaxBy(s => s.Value.Seen).Key;

        public DiscoveredPeer Merged(DiscoverySource source)
        {
            var endpoints = new List<IPEndPoint>();
            NatType nat = NatType.Unknown;
            IPEndPoint? publicEndPoint = null;
            foreach (var s in DiscoverySourceOrder)
            {
                if (!Sightings.TryGetValue(s, out var sighting))
                {
                    continue;
                }

                foreach (var e in sighting.Endpoints)
                {
                    if (!endpoints.Contains(e))
                    {
                        endpoints.Add(e);
                    }
                }

                nat = nat == NatType.Unknown ? sighting.Nat : nat;
                publicEndPoint ??= sighting.PublicEndPoint;
            }

            var seen = Sightings.Count == 0 ? DateTimeOffset.MinValue : Sightings.Values.Max(s => s.Seen);
            var expires = Sightings.Count == 0 ? seen : Sightings.Values.Max(s => s.ExpiresAt);
            if (!Sightings.ContainsKey(source))
            {
                source = LatestSource;
            }

            return new DiscoveredPeer(Peer, Topic, endpoints, source, nat, seen, expires - seen, publicEndPoint);
        }

        /// <summary>What a consumer cares about: a change here is worth an event.</summary>
        public string Fingerprint()
        {
            var merged = Merged(LatestSource);
            return string.Join(',', merged.Endpoints) + "|" + merged.Nat + "|" + merged.PublicEndPoint;
        }
    }
}

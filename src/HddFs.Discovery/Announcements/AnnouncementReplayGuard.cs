using HddFs.Core;

namespace HddFs.Discovery.Announcements;

/// <summary>
/// Freshness and replay policy for opened announcements, per (peer, topic):
/// our own key is ignored; a timestamp more than <c>window</c> away from our clock is stale; an
/// announcement not strictly newer in (timestamp, sequence) than the newest accepted is a replay.
///
/// Memory is bounded: at <c>capacity</c> entries, entries older than the window are dropped first
/// (anything that old would be rejected as stale anyway), then the oldest entry. Thread-safe (one lock,
/// held only for dictionary work).
/// </summary>
internal sealed class AnnouncementReplayGuard
{
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromMinutes(10);

    private readonly PeerId _self;
    private readonly TimeProvider _time;
    private readonly long _windowMs;
    private readonly int _capacity;

    // Guarded by _gate: newest (timestamp, sequence) accepted per (peer, rendezvous id).
    private readonly Lock _gate = new();
    private readonly Dictionary<(PeerId Peer, string Rendezvous), (long TimestampMs, ulong Sequence)> _newest = [];

    public AnnouncementReplayGuard(PeerId self, TimeProvider time, TimeSpan? window = null, int capacity = 4096)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _self = self;
        _time = time;
        _windowMs = (long)(window ?? DefaultWindow).TotalMilliseconds;
        _capacity = capacity;
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _newest.Count;
            }
        }
    }

    /// <summary>Accepts (and remembers) <paramref name="announcement"/> or says why not.</summary>
    public AnnouncementRejection Check(Announcement announcement, TopicKey topic)
    {
        ArgumentNullException.ThrowIfNull(announcement);
        ArgumentNullException.ThrowIfNull(topic);
        if (announcement.Peer == _self)
        {
            return AnnouncementRejection.Own;
        }

        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        if (Math.Abs(announcement.TimestampMs - now) > _windowMs)
        {
            return AnnouncementRejection.Stale;
        }

        var key = (announcement.Peer, topic.RendezvousId);
        lock (_gate)
        {
            if (_newest.TryGetValue(key, out var newest) && !announcement.IsNewerThan(newest.TimestampMs, newest.Sequence))
            {
                return AnnouncementRejection.Replay;
            }

            if (!_newest.ContainsKey(key) && _newest.Count >= _capacity)
            {
                Evict(now);
            }

            _newest[key] = (announcement.TimestampMs, announcement.Sequence);
        }

        return AnnouncementRejection.None;
    }

    /// <summary>Forgets a topic's peers (after leaving it).</summary>
    public void Forget(TopicKey topic)
    {
        lock (_gate)
        {
            foreach (var key in _newest.Keys.Where(k => k.Rendezvous == topic.RendezvousId).ToList())
            {
                _newest.Remove(key);
            }
        }
    }

    // Lock held by the caller.
    private void Evict(long now)
    {
        foreach (var key in _newest.Where(e => now - e.Value.TimestampMs > _windowMs).Select(e => e.Key).ToList())
        {
            _newest.Remove(key);
        }

        if (_newest.Count >= _capacity)
        {
            var oldest = _newest.MinBy(e => e.Value.TimestampMs).Key;
            _newest.Remove(oldest);
        }
    }
}

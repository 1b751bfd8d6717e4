using HddFs.Core;

namespace HddFs.Vfs;

/// <summary>
/// Remembers peers that just timed out: for <see cref="VfsOptions.FailFastPeriod"/> after a timeout,
/// uncached requests to that peer fail at once instead of each waiting out its own deadline (a file
/// manager making thumbnails of a dead peer's folder would otherwise hang for minutes). Any successful
/// answer from the peer ends the period early. Thread-safe.
///
/// LOCK ORDER: <see cref="_lock"/> is a leaf.
/// </summary>
internal sealed class PeerHealth
{
    // immutable
    private readonly TimeProvider _time;
    private readonly TimeSpan _period;
    private readonly Lock _lock = new();

    // guarded by _lock
    private readonly Dictionary<PeerId, DateTimeOffset> _failFastUntil = [];

    public PeerHealth(TimeProvider time, TimeSpan period)
    {
        _time = time;
        _period = period;
    }

    public bool IsFailingFast(PeerId peer)
    {
        lock (_lock)
        {
            if (!_failFastUntil.TryGetValue(peer, out var until))
            {
                return false;
            }

            if (_time.GetUtcNow() < until)
            {
                return true;
            }

            _failFastUntil.Remove(peer);
            return false;
        }
    }

    public void ReportTimeout(PeerId peer)
    {
        if (_period <= TimeSpan.Zero)
        {
            return;
        }

        lock (_lock)
        {
            _failFastUntil[peer] = _time.GetUtcNow() + _period;
        }
    }

    public void ReportSuccess(PeerId peer)
    {
        lock (_lock)
        {
            _failFastUntil.Remove(peer);
        }
    }
}

namespace HddFs.Discovery;

/// <summary>
/// Reconnect delays: initial, doubling, capped, each with ±<c>jitter</c> so peers that lost the same
/// broker do not come back in lock-step. Not thread-safe (one owner loop).
/// </summary>
internal sealed class ExponentialBackoff
{
    private readonly TimeSpan _initial;
    private readonly TimeSpan _max;
    private readonly double _jitter;
    private TimeSpan _next;

    public ExponentialBackoff(TimeSpan initial, TimeSpan max, double jitter = 0.2)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(initial, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, initial);
        ArgumentOutOfRangeException.ThrowIfNegative(jitter);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(jitter, 1.0);
        _initial = initial;
        _max = max;
        _jitter = jitter;
        _next = initial;
    }

    /// <summary>The delay before the next attempt (jittered, never above max), then doubles.</summary>
    public TimeSpan Next()
    {
        var baseDelay = _next;
        _next = TimeSpan.FromTicks(Math.Min(_max.Ticks, baseDelay.Ticks * 2));
        var factor = 1.0 + (((Random.Shared.NextDouble() * 2) - 1) * _jitter);
        return TimeSpan.FromTicks(Math.Min(_max.Ticks, (long)(baseDelay.Ticks * factor)));
    }

    /// <summary>After a success: the next failure starts from the initial delay again.</summary>
    public void Reset() => _next = _initial;
}

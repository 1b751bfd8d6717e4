namespace HddFs.Vfs;

/// <summary>
/// The deadline of one remote call: its token is cancelled when the caller's token (or the mount's) is
/// cancelled, or when no progress was reported for the timeout (measured on the injected clock). Each
/// <see cref="Progress"/> (response header, page, chunk of bytes) moves the deadline forward, so a big
/// listing or a long range may take as long as it keeps moving, while a peer that goes silent fails
/// within one timeout. Owned by the call that created it; dispose when the call ends.
/// </summary>
internal sealed class ProgressDeadline : IDisposable
{
    // immutable
    private readonly TimeSpan _timeout;
    private readonly CancellationTokenSource _timer;
    private readonly CancellationTokenSource _linked;

    public ProgressDeadline(TimeSpan timeout, TimeProvider time, CancellationToken first, CancellationToken second = default)
    {
        _timeout = timeout;
        _timer = new CancellationTokenSource(timeout, time);
        _linked = CancellationTokenSource.CreateLinkedTokenSource(first, second, _timer.Token);
    }

    public CancellationToken Token => _linked.Token;

    /// <summary>True when the timeout (not a caller) cancelled the call.</summary>
    public bool Expired => _timer.IsCancellationRequested;

    public void Progress()
    {
        if (!_timer.IsCancellationRequested)
        {
            _timer.CancelAfter(_timeout);
        }
    }

    /// <summary>Stops the clock while the call waits for something other than the peer (a memory
    /// buffer); <see cref="Progress"/> starts it again.</summary>
    public void Pause()
    {
        if (!_timer.IsCancellationRequested)
        {
            _timer.CancelAfter(Timeout.InfiniteTimeSpan);
        }
    }

    public void Dispose()
    {
        _linked.Dispose();
        _timer.Dispose();
    }
}

namespace HddFs.Peers.Rpc;

/// <summary>
/// A deadline that restarts on progress: fires when nothing happened for <c>timeout</c>, or when the
/// caller's token fires. <see cref="TimedOut"/> tells the two apart. Not thread-safe: one per request.
/// </summary>
internal sealed class StallDeadline : IDisposable
{
    private readonly TimeSpan _timeout;
    private readonly CancellationToken _caller;
    private CancellationTokenSource _source;

    public StallDeadline(TimeSpan timeout, CancellationToken caller)
    {
        _timeout = timeout;
        _caller = caller;
        _source = CancellationTokenSource.CreateLinkedTokenSource(caller);
        _source.CancelAfter(timeout);
    }

    public CancellationToken Token => _source.Token;

    /// <summary>True when the deadline (not the caller) cancelled.</summary>
    public bool TimedOut => _source.IsCancellationRequested && !_caller.IsCancellationRequested;

    /// <summary>Starts a fresh stall period (call before each wait).</summary>
    public void Restart()
    {
        if (_source.IsCancellationRequested)
        {
            return; // keep the fired state so the caller's catch sees it
        }

        if (!_source.TryReset())
        {
            _source.Dispose();
            _source = CancellationTokenSource.CreateLinkedTokenSource(_caller);
        }

        _source.CancelAfter(_timeout);
    }

    public void Dispose() => _source.Dispose();
}

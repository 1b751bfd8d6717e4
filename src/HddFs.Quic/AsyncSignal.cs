namespace HddFs.Quic;

/// <summary>
/// A wake-up for one waiter at a time that is never lost: <see cref="Set"/> before <see cref="WaitAsync"/> makes
/// the next wait return at once. Used with the native readiness pattern: call native, on HQ_AGAIN (which arms the
/// native "want" flag under the endpoint mutex) wait, then call native again. A stale wake-up only costs one extra
/// native call. Thread-safe; continuations never run on the setter's thread (the I/O thread).
/// </summary>
internal sealed class AsyncSignal
{
    private readonly Lock _lock = new();
    private TaskCompletionSource? _waiter;
    private bool _set;

    public void Set()
    {
        TaskCompletionSource? waiter;
        lock (_lock)
        {
            waiter = _waiter;
            _waiter = null;
            if (waiter is null)
            {
                _set = true;
            }
        }

        waiter?.TrySetResult();
    }

    public Task WaitAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource waiter;
        lock (_lock)
        {
            if (_set)
            {
                _set = false;
                return Task.CompletedTask;
            }

            waiter = _waiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        return cancellationToken.CanBeCanceled ? waiter.Task.WaitAsync(cancellationToken) : waiter.Task;
    }
}

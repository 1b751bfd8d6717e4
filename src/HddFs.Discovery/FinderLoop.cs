using System.Threading.Channels;

namespace HddFs.Discovery;

/// <summary>
/// The life cycle every <see cref="IPeerFinder"/> shares: one background loop started at most once, a status line,
/// the bounded events channel, and a stop that cancels the loop and waits for it so that the finder may then clean
/// up what the loop owned (sockets, broker client) before disposing it.
/// Thread-safe. LOCK ORDER: <c>_lock</c> is a leaf (a finder may hold its own lock while calling in).
/// </summary>
internal sealed class FinderLoop : IDisposable
{
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Channel<DiscoveryEvent> _events = Channel.CreateBounded<DiscoveryEvent>(new BoundedChannelOptions(256) { FullMode = BoundedChannelFullMode.Wait });

    // guarded by _lock
    private string _status = "not started";
    private Task? _loop;
    private bool _stopped;

    /// <summary>Where the loop publishes what it found; completed by <see cref="Dispose"/>.</summary>
    public ChannelWriter<DiscoveryEvent> Writer => _events.Writer;

    public ChannelReader<DiscoveryEvent> Reader => _events.Reader;

    /// <summary>Cancelled when the finder stops (valid until <see cref="Dispose"/>).</summary>
    public CancellationToken Token => _stop.Token;

    public string Status
    {
        get
        {
            lock (_lock)
            {
                return _status;
            }
        }

        set
        {
            lock (_lock)
            {
                _status = value;
            }
        }
    }

    /// <summary>Runs <paramref name="loop"/> on the thread pool with <see cref="Token"/>; later calls do nothing.</summary>
    /// <exception cref="ObjectDisposedException"><paramref name="owner"/> was stopped.</exception>
    public void Start(object owner, Func<CancellationToken, Task> loop)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_stopped, owner);
            _loop ??= Task.Run(() => loop(_stop.Token), CancellationToken.None);
        }
    }

    /// <summary>Cancels the loop and waits for it to end. False when already stopped (the caller then does nothing
    /// more); true exactly once, after which the loop's state belongs to the caller.</summary>
    public async Task<bool> StopAsync()
    {
        Task? loop;
        lock (_lock)
        {
            if (_stopped)
            {
                return false;
            }

            _stopped = true;
            loop = _loop;
        }

        await _stop.CancelAsync();
        if (loop is not null)
        {
            await loop;
        }

        return true;
    }

    /// <summary>Ends the events stream and releases the token; after a successful <see cref="StopAsync"/>.</summary>
    public void Dispose()
    {
        _events.Writer.TryComplete();
        _stop.Dispose();
    }
}

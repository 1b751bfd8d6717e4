using HddFs.Core;

namespace HddFs.Vfs;

/// <summary>
/// An open file handle: the version of the file it reads (fixed at open) and its prefetch stream.
/// Owned by <see cref="VirtualFileSystem"/> between OpenFile and ReleaseFile. (Blocks themselves live in
/// <see cref="BlockMemory"/>, shared by every handle, so the kernel's sub-block reads of one block cost
/// one cache read or fetch, not one each.)
///
/// LOCK ORDER: <see cref="_lock"/> is a leaf; requests are taken under it and issued after releasing it.
/// Cancelling a stream happens outside the lock (cancellation runs callbacks).
/// </summary>
internal sealed class OpenFile : IDisposable
{
    // immutable
    private readonly Lock _lock = new();

    // guarded by _lock
    private readonly ReadAhead _readAhead;
    private CancellationTokenSource _stream = new();
    private bool _released;

    public OpenFile(ulong handle, FetchTarget target, int blockSize, VfsOptions options, long maxWindow)
    {
        Handle = handle;
        Target = target;
        _readAhead = new ReadAhead(target.Key.Size, blockSize, options, maxWindow);
    }

    public ulong Handle { get; }

    public FetchTarget Target { get; }

    public Node Node => Target.Node;

    public FileKey Key => Target.Key;

    /// <summary>The largest window the stream may still use (for tests).</summary>
    public long MaxWindow
    {
        get
        {
            lock (_lock)
            {
                return _readAhead.MaxWindow;
            }
        }
    }

    /// <summary>A range the prefetch stream wants fetched, with the stream it belongs to.</summary>
    public readonly record struct Request(long FirstBlock, int BlockCount, int Generation, CancellationToken Token);

    /// <summary>Records a read and returns the ranges to request now (possibly none). When the read is a
    /// seek, the old stream's requests are cancelled.</summary>
    public List<Request> OnRead(long offset, int length)
    {
        CancellationTokenSource? cancelled = null;
        List<Request> requests;
        lock (_lock)
        {
            if (_released)
            {
                return [];
            }

            var generation = _readAhead.Generation;
            _readAhead.OnRead(offset, length);
            if (_readAhead.Generation != generation)
            {
                cancelled = _stream;
                _stream = new CancellationTokenSource();
            }

            requests = TakeLocked();
        }

        cancelled?.Cancel(); // not disposed: requests taken before may still link to its token
        return requests;
    }

    /// <summary>A request ended; returns what the stream wants next.</summary>
    public List<Request> OnDone(int generation, bool succeeded)
    {
        lock (_lock)
        {
            if (_released)
            {
                return [];
            }

            _readAhead.OnDone(generation, succeeded);
            return TakeLocked();
        }
    }

    /// <summary>A reader found <paramref name="block"/> neither in memory nor in the cache and must fetch
    /// it; when the stream had already requested it, the block was lost to eviction and the stream's
    /// window shrinks. Returns true in that case.</summary>
    public bool OnMissing(long block)
    {
        lock (_lock)
        {
            if (_released || !_readAhead.Requested(block))
            {
                return false;
            }

            _readAhead.OnLost();
            return true;
        }
    }

    /// <summary>Cancels the prefetch stream. Idempotent.</summary>
    public void Dispose()
    {
        CancellationTokenSource stream;
        lock (_lock)
        {
            if (_released)
            {
                return;
            }

            _released = true;
            stream = _stream;
        }

        stream.Cancel();
        stream.Dispose();
    }

    private List<Request> TakeLocked()
    {
        List<Request> requests = [];
        while (_readAhead.TryTake(out var first, out var count))
        {
            requests.Add(new Request(first, count, _readAhead.Generation, _stream.Token));
        }

        return requests;
    }
}

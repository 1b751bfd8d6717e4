using System.Buffers;
using HddFs.Core;

namespace HddFs.Vfs;

/// <summary>
/// An open file handle: the version of the file it reads (fixed at open), its prefetch stream, and the
/// last block it read from the cache (so the kernel's sub-block reads of one block cost one cache read).
/// Owned by <see cref="VirtualFileSystem"/> between OpenFile and ReleaseFile.
///
/// LOCK ORDER: <see cref="_lock"/> → <see cref="BlockFetcher"/>'s lock (via the prefetch pump, which only
/// takes the next range under this lock and issues it after releasing). Cancelling a stream happens
/// outside the lock (cancellation runs callbacks).
/// </summary>
internal sealed class OpenFile : IDisposable
{
    // immutable
    private readonly Lock _lock = new();

    // guarded by _lock
    private readonly ReadAhead _readAhead;
    private CancellationTokenSource _stream = new();
    private byte[]? _scratch;
    private long _scratchBlock = -1;
    private int _scratchLength;
    private bool _released;

    public OpenFile(ulong handle, FetchTarget target, int blockSize, VfsOptions options)
    {
        Handle = handle;
        Target = target;
        _readAhead = new ReadAhead(target.Key.Size, blockSize, options);
    }

    public ulong Handle { get; }

    public FetchTarget Target { get; }

    public Node Node => Target.Node;

    public FileKey Key => Target.Key;

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

        cancelled?.Cancel();
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

    public bool TryCopyFromScratch(long block, int from, Span<byte> destination)
    {
        lock (_lock)
        {
            if (_scratchBlock != block || _scratch is null || from + destination.Length > _scratchLength)
            {
                return false;
            }

            _scratch.AsSpan(from, destination.Length).CopyTo(destination);
            return true;
        }
    }

    /// <summary>Keeps a pooled buffer holding <paramref name="block"/> as the last block read; takes
    /// ownership of it (returns the one it replaces to the pool).</summary>
    public void KeepScratch(long block, byte[] buffer, int length)
    {
        byte[]? old;
        lock (_lock)
        {
            if (_released)
            {
                old = buffer;
            }
            else
            {
                old = _scratch;
                _scratch = buffer;
                _scratchBlock = block;
                _scratchLength = length;
            }
        }

        if (old is not null)
        {
            ArrayPool<byte>.Shared.Return(old);
        }
    }

    /// <summary>Cancels the prefetch stream and frees the scratch buffer. Idempotent.</summary>
    public void Dispose()
    {
        CancellationTokenSource stream;
        byte[]? scratch;
        lock (_lock)
        {
            if (_released)
            {
                return;
            }

            _released = true;
            stream = _stream;
            scratch = _scratch;
            _scratch = null;
            _scratchBlock = -1;
        }

        stream.Cancel();
        stream.Dispose();
        if (scratch is not null)
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
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

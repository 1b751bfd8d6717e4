using HddFs.Core;

namespace HddFs.Vfs;

/// <summary>
/// One block of one file version in memory (<see cref="BlockMemory"/>): registered (its fetch or disk
/// load has not reached it yet), filling (bytes arriving), complete, or failed. Readers wait for a
/// <b>watermark</b>: a read of bytes [from, to) proceeds as soon as <see cref="Received"/> ≥ to, so the
/// first bytes of a cold file reach the reader while the rest of the request is still on the wire.
///
/// Threads: one filler (the fetch or load that registered it) writes <see cref="Data"/> below
/// <see cref="Length"/> and advances the watermark; bytes below the watermark are never written again,
/// so readers copy them without a lock. Any number of readers wait concurrently.
///
/// Ownership: the buffer and the bookkeeping fields marked "BlockMemory" belong to
/// <see cref="BlockMemory"/> and are guarded by its lock (pins keep the buffer alive; see there). The
/// waiters and the state below are guarded by <see cref="_lock"/>.
///
/// LOCK ORDER: <see cref="_lock"/> is a leaf (taken by the filler and by readers, never while holding
/// <see cref="BlockMemory"/>'s lock or the other way round).
/// </summary>
internal sealed class ResidentBlock
{
    // immutable
    private readonly Lock _lock = new();

    // guarded by _lock
    private List<Waiter>? _waiters;
    private Exception? _failure;
    private bool _complete;

    // written by the filler under _lock, read anywhere (volatile)
    private volatile int _received;

    public ResidentBlock(BlockKey key, int length, bool fromCache, FetchProgress? progress)
    {
        Key = key;
        Length = length;
        FromCache = fromCache;
        Progress = progress;
    }

    public BlockKey Key { get; }

    public FileKey File => Key.File;

    public long Index => Key.Index;

    /// <summary>The block's length in this file version (the last block of a file may be short).</summary>
    public int Length { get; }

    /// <summary>Loaded from the block cache (nothing to write back) rather than fetched from the peer.</summary>
    public bool FromCache { get; }

    /// <summary>The progress clock of the remote request filling this block (null for cache loads).</summary>
    public FetchProgress? Progress { get; }

    /// <summary>Bytes [0, Received) are in <see cref="Data"/> and final.</summary>
    public int Received => _received;

    // --- BlockMemory bookkeeping (guarded by BlockMemory._lock) ---

    /// <summary>The pooled buffer (at least <see cref="Length"/> long), from when the filler reaches the
    /// block until the last pin is gone and the block left the index. Null before.</summary>
    public byte[]? Data { get; set; }

    /// <summary>Holders besides the index: the filler, the cache writer, each reader waiting or copying.</summary>
    public int Pins { get; set; }

    public bool InIndex { get; set; }

    /// <summary>A read reached the block's last byte (sequential readers are done with it).</summary>
    public bool Consumed { get; set; }

    /// <summary>The block's bytes were filled (complete) — eligible for eviction when unpinned.</summary>
    public bool Settled { get; set; }

    /// <summary>A body read into <see cref="Data"/> may still be running: never return it to the pool.</summary>
    public bool Abandoned { get; set; }

    /// <summary>Position in BlockMemory's LRU lists (present only while evictable).</summary>
    public LinkedListNode<ResidentBlock>? LruNode { get; set; }

    // --- filler ---

    /// <summary>Publishes bytes [0, <paramref name="received"/>) and wakes readers waiting for them.</summary>
    public void Advance(int received)
    {
        List<Waiter>? ready = null;
        lock (_lock)
        {
            _received = received;
            if (_waiters is { Count: > 0 } waiters)
            {
                for (var i = waiters.Count - 1; i >= 0; i--)
                {
                    if (waiters[i].End <= received)
                    {
                        (ready ??= []).Add(waiters[i]);
                        waiters.RemoveAt(i);
                    }
                }
            }
        }

        // RunContinuationsAsynchronously: no reader code runs on the filler's thread.
        if (ready is not null)
        {
            foreach (var waiter in ready)
            {
                waiter.Signal.TrySetResult();
            }
        }
    }

    /// <summary>All bytes are in: wakes every reader.</summary>
    public void Complete()
    {
        List<Waiter>? all;
        lock (_lock)
        {
            _received = Length;
            _complete = true;
            all = _waiters;
            _waiters = null;
        }

        all?.ForEach(w => w.Signal.TrySetResult());
    }

    /// <summary>The block will never be filled: readers get <paramref name="failure"/> (an
    /// <see cref="OperationCanceledException"/> when its fetch was cancelled: they retry).</summary>
    public void Fail(Exception failure)
    {
        List<Waiter>? all;
        lock (_lock)
        {
            if (_complete || _failure is not null)
            {
                return;
            }

            _failure = failure;
            all = _waiters;
            _waiters = null;
        }

        all?.ForEach(w => w.Signal.TrySetException(failure));
    }

    // --- readers ---

    /// <summary>Completes when bytes [0, <paramref name="end"/>) are in; faults when the block failed.
    /// The caller holds a pin (so the buffer stays) and bounds the wait itself.</summary>
    public Task WaitForAsync(int end)
    {
        if (_received >= end)
        {
            return Task.CompletedTask;
        }

        lock (_lock)
        {
            if (_received >= end)
            {
                return Task.CompletedTask;
            }

            if (_failure is not null)
            {
                return Task.FromException(_failure);
            }

            var waiter = new Waiter(end, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            (_waiters ??= []).Add(waiter);
            return waiter.Signal.Task;
        }
    }

    public override string ToString() => $"{Key.File.Path}#{Key.Index} {_received}/{Length}";

    private readonly record struct Waiter(int End, TaskCompletionSource Signal);
}

/// <summary>A block of one file version: the key of <see cref="BlockMemory"/>'s index.</summary>
internal readonly record struct BlockKey(FileKey File, long Index);

/// <summary>
/// When the remote request filling some blocks last made progress (response header or bytes), on the
/// VFS's clock. Readers waiting on any of its blocks use it to tell a slow-but-moving transfer from a
/// silent peer, across retries (see VirtualFileSystem.Files). Thread-safe (one writer, any readers).
/// </summary>
internal sealed class FetchProgress
{
    private long _lastTimestamp;

    /// <summary>Timestamp (<see cref="TimeProvider.GetTimestamp"/>) of the last progress; 0 before any.</summary>
    public long LastTimestamp => Volatile.Read(ref _lastTimestamp);

    public void Report(long timestamp) => Volatile.Write(ref _lastTimestamp, timestamp);
}

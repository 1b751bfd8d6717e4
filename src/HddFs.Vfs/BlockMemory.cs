using System.Buffers;

namespace HddFs.Vfs;

/// <summary>
/// Every block the VFS holds in memory, by (file version, index), under one hard budget of pooled
/// buffers: blocks being fetched (readers wait on their watermark), fetched blocks waiting to be written
/// to the block cache, prefetched blocks not yet read, blocks loaded from the cache for the kernel's
/// sub-block reads, recently read blocks. One entry per block, so concurrent readers and fetches share
/// it (at most one fetch or load per block at a time).
///
/// Budget: at most <see cref="Slots"/> buffers of one block each exist at any time (the capacity,
/// at least <see cref="MinimumSlots"/> blocks). A filler that needs a buffer evicts an unpinned complete
/// block — read ones first (least recently used first), then unread ones newest first (the far end of
/// a prefetch window, so the blocks a reader needs next stay) — and otherwise waits until a pin is
/// dropped: buffers are held only by fillers (network progress), the cache writer (disk progress) and
/// readers copying, so the wait always ends.
///
/// Ownership of a buffer: rented from <see cref="ArrayPool{T}.Shared"/> when the filler reaches the
/// block; returned only when the block has left the index AND its last pin is gone (filler, cache writer,
/// readers), i.e. after both the readers' copies and the cache write are done. A buffer a cancelled body
/// read may still write into (<see cref="ResidentBlock.Abandoned"/>) is never returned to the pool.
/// Thread-safe.
///
/// LOCK ORDER: <see cref="_lock"/> is a leaf. <see cref="ResidentBlock"/>'s own lock is never taken under
/// it (blocks are failed and completed after releasing it), and nothing else is called under it.
/// </summary>
internal sealed class BlockMemory
{
    /// <summary>Fewest buffers, whatever the configured capacity (a filler and a reader must fit).</summary>
    public const int MinimumSlots = 4;

    // immutable
    private readonly Lock _lock = new();
    private readonly int _blockSize;

    // guarded by _lock
    private readonly Dictionary<BlockKey, ResidentBlock> _index = [];
    private readonly LinkedList<ResidentBlock> _consumed = new(); // evictable, read to the end; most recent first
    private readonly LinkedList<ResidentBlock> _unread = new();   // evictable, not read to the end; most recent first
    private List<TaskCompletionSource>? _allocationWaiters;
    private int _used;
    private int _pending;

    public BlockMemory(long capacityBytes, int blockSize)
    {
        _blockSize = blockSize;
        Slots = (int)Math.Clamp(capacityBytes / blockSize, MinimumSlots, int.MaxValue);
    }

    /// <summary>Most buffers that exist at once.</summary>
    public int Slots { get; }

    /// <summary>Bytes of buffers in use (at most <see cref="Slots"/> blocks).</summary>
    public long UsedBytes
    {
        get
        {
            lock (_lock)
            {
                return (long)_used * _blockSize;
            }
        }
    }

    /// <summary>Blocks registered and not yet filled (fetches and loads in flight).</summary>
    public int PendingBlocks
    {
        get
        {
            lock (_lock)
            {
                return _pending;
            }
        }
    }

    /// <summary>
    /// Registers a block to be filled by the caller (the filler), which holds one pin on it and must end
    /// with <see cref="Settle"/> or <see cref="Fail"/>. Returns null when the block is already present
    /// (being filled or complete). With <paramref name="pinForReader"/>, the block returned — new, or the
    /// one present, through <paramref name="present"/> — carries one more pin for the calling reader.
    /// </summary>
    public ResidentBlock? Register(BlockKey key, int length, bool fromCache, FetchProgress? progress, bool pinForReader, out ResidentBlock? present)
    {
        lock (_lock)
        {
            if (_index.TryGetValue(key, out var existing))
            {
                present = existing;
                if (pinForReader)
                {
                    PinLocked(existing);
                }

                return null;
            }

            var block = new ResidentBlock(key, length, fromCache, progress) { InIndex = true, Pins = pinForReader ? 2 : 1 };
            _index.Add(key, block);
            _pending++;
            present = block;
            return block;
        }
    }

    /// <summary>Pins the block of <paramref name="key"/> for a reader (null when absent). Undo with
    /// <see cref="Unpin"/>.</summary>
    public ResidentBlock? TryPin(BlockKey key)
    {
        lock (_lock)
        {
            if (!_index.TryGetValue(key, out var block))
            {
                return null;
            }

            PinLocked(block);
            return block;
        }
    }

    public bool Contains(BlockKey key)
    {
        lock (_lock)
        {
            return _index.ContainsKey(key);
        }
    }

    /// <summary>Gives a registered block its buffer, evicting or waiting for one (see the class remarks).
    /// Cancelled only by <paramref name="cancellationToken"/>.</summary>
    public async ValueTask AllocateAsync(ResidentBlock block, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task wait;
            lock (_lock)
            {
                if (TryAllocateLocked(block))
                {
                    return;
                }

                var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                (_allocationWaiters ??= []).Add(waiter);
                wait = waiter.Task;
            }

            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>As <see cref="AllocateAsync"/>, but gives up instead of waiting.</summary>
    public bool TryAllocate(ResidentBlock block)
    {
        lock (_lock)
        {
            return TryAllocateLocked(block);
        }
    }

    /// <summary>The filler put every byte in: readers are woken, and the block can be evicted once
    /// unpinned. The filler's pin stays (released by the filler, or by the cache writer it passes to).</summary>
    public void Settle(ResidentBlock block)
    {
        lock (_lock)
        {
            if (!block.Settled)
            {
                block.Settled = true;
                _pending--;
            }
        }

        block.Complete();
    }

    /// <summary>The filler gives up on a block: it leaves the index, waiting readers get
    /// <paramref name="failure"/>, and the filler's pin is released. With <paramref name="abandoned"/>
    /// its buffer is dropped without going back to the pool.</summary>
    public void Fail(ResidentBlock block, Exception failure, bool abandoned = false)
    {
        block.Fail(failure);
        List<TaskCompletionSource>? wake;
        lock (_lock)
        {
            if (!block.Settled)
            {
                block.Settled = true;
                _pending--;
            }

            block.Abandoned |= abandoned;
            RemoveFromIndexLocked(block);
            wake = UnpinLocked(block, consumed: false);
        }

        Wake(wake);
    }

    /// <summary>Drops a pin; <paramref name="consumed"/> when a read reached the block's last byte.</summary>
    public void Unpin(ResidentBlock block, bool consumed = false)
    {
        List<TaskCompletionSource>? wake;
        lock (_lock)
        {
            wake = UnpinLocked(block, consumed);
        }

        Wake(wake);
    }

    /// <summary>Removes every unpinned complete block (for tests: makes the next read go to the block
    /// cache or the peer). Returns how many.</summary>
    public int DropUnpinned()
    {
        List<TaskCompletionSource>? wake;
        int dropped;
        lock (_lock)
        {
            dropped = _consumed.Count + _unread.Count;
            while (_consumed.Last is { } c)
            {
                EvictLocked(c.Value);
            }

            while (_unread.Last is { } u)
            {
                EvictLocked(u.Value);
            }

            wake = TakeWaitersLocked();
        }

        Wake(wake);
        return dropped;
    }

    private static void Wake(List<TaskCompletionSource>? waiters) => waiters?.ForEach(w => w.TrySetResult());

    private static void PinLocked(ResidentBlock block)
    {
        if (block.LruNode is { } node)
        {
            node.List!.Remove(node);
            block.LruNode = null;
        }

        block.Pins++;
    }

    private bool TryAllocateLocked(ResidentBlock block)
    {
        if (block.Data is not null)
        {
            return true;
        }

        while (_used >= Slots)
        {
            // Read blocks least recently used first; then unread ones newest first (the far end of a
            // prefetch window: the block a reader needs next is the oldest, so it stays).
            var victim = _consumed.Last?.Value ?? _unread.First?.Value;
            if (victim is null)
            {
                return false;
            }

            EvictLocked(victim);
        }

        _used++;
        block.Data = ArrayPool<byte>.Shared.Rent(_blockSize);
        return true;
    }

    private void EvictLocked(ResidentBlock victim)
    {
        RemoveFromIndexLocked(victim);
        if (victim.LruNode is { } node)
        {
            node.List!.Remove(node);
            victim.LruNode = null;
        }

        FreeIfUnusedLocked(victim);
    }

    private void RemoveFromIndexLocked(ResidentBlock block)
    {
        if (block.InIndex)
        {
            block.InIndex = false;
            if (_index.TryGetValue(block.Key, out var current) && ReferenceEquals(current, block))
            {
                _index.Remove(block.Key);
            }
        }
    }

    private List<TaskCompletionSource>? UnpinLocked(ResidentBlock block, bool consumed)
    {
        block.Consumed |= consumed;
        if (--block.Pins > 0)
        {
            return null;
        }

        if (block.InIndex)
        {
            if (!block.Settled)
            {
                return null; // registered, not filled, no pin left: cannot happen (the filler holds one)
            }

            block.LruNode = (block.Consumed ? _consumed : _unread).AddFirst(block);
            return TakeWaitersLocked(); // one more block can be evicted
        }

        return FreeIfUnusedLocked(block) ? TakeWaitersLocked() : null;
    }

    private bool FreeIfUnusedLocked(ResidentBlock block)
    {
        if (block.InIndex || block.Pins > 0 || block.Data is not { } data)
        {
            return false;
        }

        block.Data = null;
        _used--;
        if (!block.Abandoned)
        {
            ArrayPool<byte>.Shared.Return(data);
        }

        return true;
    }

    private List<TaskCompletionSource>? TakeWaitersLocked()
    {
        var waiters = _allocationWaiters;
        _allocationWaiters = null;
        return waiters;
    }
}

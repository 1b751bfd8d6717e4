using System.Threading.Channels;
using HddFs.Core;

namespace HddFs.Vfs;

/// <summary>
/// Loads blocks from the block cache into <see cref="BlockMemory"/> ahead of sequential readers, on
/// <see cref="Threads"/> dedicated threads taking blocks in the order they were queued (nearest the
/// reader first). The cache's reads are synchronous; a disk with the page cache dropped gives ~0.5 GB/s
/// to one reader at a time and ~1.8 GB/s to four here, so loading four blocks at once is what lets a warm
/// read go past the disk's single-stream speed, and dedicated threads keep those blocking reads off the
/// thread pool. The queue needs no bound of its own: every queued block is registered in the memory,
/// which the read-ahead windows bound.
///
/// Ownership: <see cref="Enqueue"/> takes over the filler's pin of a registered block; the loader settles
/// it (and drops the pin) or fails it. A block without a free buffer, or that the cache no longer holds
/// (evicted, corrupt), fails as cancelled: its readers load or fetch it themselves. Thread-safe.
/// </summary>
internal sealed class CacheLoader
{
    /// <summary>Loads at once (the disk's useful queue depth here).</summary>
    public const int Threads = 4;

    // immutable
    private readonly IBlockStore _cache;
    private readonly BlockMemory _memory;
    private readonly Channel<ResidentBlock> _queue = Channel.CreateUnbounded<ResidentBlock>();

    public CacheLoader(IBlockStore cache, BlockMemory memory)
    {
        _cache = cache;
        _memory = memory;
        for (var i = 0; i < Threads; i++)
        {
            new Thread(Run) { IsBackground = true, Name = "hddfs cache loader" }.Start();
        }
    }

    /// <summary>Queues a registered block (fromCache) for loading; takes over the filler's pin.</summary>
    public void Enqueue(ResidentBlock block)
    {
        if (!_queue.Writer.TryWrite(block))
        {
            _memory.Fail(block, new OperationCanceledException("The mount is closing."));
        }
    }

    /// <summary>Stops the threads; blocks still queued are failed (their readers give up or retry).</summary>
    public void Complete() => _queue.Writer.TryComplete();

    private void Run()
    {
        var reader = _queue.Reader;
        while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            while (reader.TryRead(out var block))
            {
                Load(block);
            }
        }
    }

    private void Load(ResidentBlock block)
    {
        try
        {
            if (_memory.TryAllocate(block) && _cache.TryRead(block.File, block.Index, block.Data!) == block.Length)
            {
                _memory.Settle(block);
                _memory.Unpin(block);
                return;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            // Treated as not cached.
        }

        _memory.Fail(block, new OperationCanceledException("The cached block could not be loaded."));
    }
}

using System.Threading.Channels;
using HddFs.Core;
using Microsoft.Extensions.Logging;

namespace HddFs.Vfs;

/// <summary>
/// Write-behind of fetched blocks into the block cache, on <see cref="Workers"/> background tasks (the
/// cache's writes take most of a core at ~1 GB/s; two overlap its syscalls), so a fetch never waits
/// for the disk and nothing is read back: readers are served from the block's buffer in
/// <see cref="BlockMemory"/> (where it stays until written, pinned). The queue needs no bound of its
/// own: every queued block holds one of the memory's buffers, so the memory budget bounds it, and when
/// the disk falls behind, fillers wait for buffers (backpressure down to the peer). The cache enforces
/// its own hard cap; a block it refuses is simply not kept (IBlockStore's contract).
///
/// Ownership: <see cref="Enqueue"/> takes over the caller's pin on the block; the pin is released after
/// the write (or, after disposal, without writing). Thread-safe.
///
/// LOCK ORDER: <see cref="_lock"/> is a leaf (bytes queued per file, so the cached-bytes attribute counts
/// a block from the moment it was fetched).
/// </summary>
internal sealed class CacheWriter
{
    /// <summary>Background writers.</summary>
    public const int Workers = 2;

    // immutable
    private readonly IBlockStore _cache;
    private readonly BlockMemory _memory;
    private readonly ILogger _logger;
    private readonly Channel<ResidentBlock> _queue = Channel.CreateUnbounded<ResidentBlock>();
    private readonly Lock _lock = new();

    // guarded by _lock
    private readonly Dictionary<FileKey, long> _queuedBytes = [];

    // atomics
    private long _written;

    public CacheWriter(IBlockStore cache, BlockMemory memory, ILogger logger, BackgroundWork background)
    {
        _cache = cache;
        _memory = memory;
        _logger = logger;
        for (var i = 0; i < Workers; i++)
        {
            _ = background.Track(Task.Factory.StartNew(RunAsync, CancellationToken.None, TaskCreationOptions.DenyChildAttach, TaskScheduler.Default).Unwrap());
        }
    }


    /// <summary>Blocks handed to the cache so far (for tests).</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary>Bytes of <paramref name="file"/> queued and not yet handed to the cache.</summary>
    public long QueuedBytes(FileKey file)
    {
        lock (_lock)
        {
            return _queuedBytes.GetValueOrDefault(file);
        }
    }

    /// <summary>Queues a complete block; takes over one pin (released after the write).</summary>
    public void Enqueue(ResidentBlock block)
    {
        lock (_lock)
        {
            _queuedBytes[block.File] = _queuedBytes.GetValueOrDefault(block.File) + block.Length;
        }

        if (!_queue.Writer.TryWrite(block))
        {
            Dequeued(block);
            _memory.Unpin(block); // completed: the VFS is being disposed
        }
    }

    /// <summary>Stops taking blocks; the ones queued are still written.</summary>
    public void Complete() => _queue.Writer.TryComplete();

    private async Task<bool> RunAsync()
    {
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var block))
            {
                Write(block);
            }
        }

        return true;
    }

    private void Write(ResidentBlock block)
    {
        try
        {
            _cache.Write(block.File, block.Index, block.Data!.AsSpan(0, block.Length));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException or ObjectDisposedException or ArgumentException)
        {
            _logger.CacheWriteFailed(block.Index, block.File.Path.Value, ex);
        }
        finally
        {
            Interlocked.Increment(ref _written);
            Dequeued(block);
            _memory.Unpin(block);
        }
    }

    private void Dequeued(ResidentBlock block)
    {
        lock (_lock)
        {
            var left = _queuedBytes.GetValueOrDefault(block.File) - block.Length;
            if (left > 0)
            {
                _queuedBytes[block.File] = left;
            }
            else
            {
                _queuedBytes.Remove(block.File);
            }
        }
    }
}

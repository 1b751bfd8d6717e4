using System.Buffers;
using HddFs.Core;

namespace HddFs.Vfs;

// open / read / release: reads assemble blocks from BlockMemory (fetched blocks, streamed as they arrive;
// blocks loaded from the block cache), loading cached ones and fetching missing ones through BlockFetcher,
// with a per-handle prefetch stream (ReadAhead).
public sealed partial class VirtualFileSystem
{
    // A reader retries a block whose fetch was cancelled under it (another stream's seek) or that left
    // the cache before it could copy it; past this many rounds something is badly wrong.
    private const int MaxBlockAttempts = 8;

    /// <summary>
    /// Opens a file for reading. The handle reads the version of the file current at open (its size and
    /// mtime from the parent's listing, re-listed when stale). KeepCache is true only when that version is
    /// the one the node was last opened with, so the kernel may keep its cached pages.
    /// </summary>
    public async ValueTask<VfsOpenResult> OpenFileAsync(ulong node, CancellationToken cancellationToken)
    {
        var file = RequireNode(node);
        if (file.IsPeerOrRoot || file.IsDirectory)
        {
            throw new VfsException(VfsError.IsADirectory, $"'{file.Key.Path}' is a directory.");
        }

        RequireVisible(file);
        var entry = await CurrentEntryAsync(file, cancellationToken).ConfigureAwait(false);
        if (entry.IsDirectory)
        {
            throw new VfsException(VfsError.IsADirectory, $"'{file.Key.Path}' is a directory now.");
        }

        var key = new FileKey(file.Key.Peer, file.Key.Path, entry.Size, entry.ModifiedUnixMs);
        var previous = _nodes.OpenFile(file, key);
        var open = new OpenFile(NextHandle(), new FetchTarget(file, key), _blockSize, _options, _maxPrefetchWindow);
        _files[open.Handle] = open;
        return new VfsOpenResult(open.Handle, KeepCache: previous == key);
    }

    /// <summary>
    /// Reads up to <paramref name="destination"/>.Length bytes at <paramref name="offset"/>; returns the
    /// bytes read (0 at or past the end of the file as opened). Cached blocks are served even when the peer
    /// is unreachable; uncached ones fail with <see cref="VfsError.IoError"/> at once when it is known to be
    /// unreachable, or within the request timeout when it stops answering.
    /// </summary>
    public async ValueTask<int> ReadAsync(ulong handle, long offset, Memory<byte> destination, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        if (!_files.TryGetValue(handle, out var open))
        {
            throw new VfsException(VfsError.BadHandle, $"Unknown file handle {handle}.");
        }

        if (offset < 0)
        {
            throw new VfsException(VfsError.InvalidArgument, "Negative offset.");
        }

        var size = open.Key.Size;
        if (offset >= size || destination.IsEmpty)
        {
            return 0;
        }

        var length = (int)Math.Min(destination.Length, size - offset);
        IssuePrefetch(open, open.OnRead(offset, length));

        var firstBlock = offset / _blockSize;
        var lastBlock = (offset + length - 1) / _blockSize;
        var copied = 0;
        for (var block = firstBlock; block <= lastBlock; block++)
        {
            var blockStart = block * _blockSize;
            var from = (int)(Math.Max(offset, blockStart) - blockStart);
            var to = (int)(Math.Min(offset + length, blockStart + _blockSize) - blockStart);
            await CopyBlockAsync(open, block, lastBlock, from, destination.Slice(copied, to - from), cancellationToken).ConfigureAwait(false);
            copied += to - from;
        }

        return copied;
    }

    /// <summary>Closes a file handle and cancels its prefetch. Unknown handles are ignored.</summary>
    public void ReleaseFile(ulong handle)
    {
        if (_files.TryRemove(handle, out var released))
        {
            released.Dispose();
            _nodes.Close(released.Node);
        }
    }

    // Copies bytes [from, from + destination.Length) of one block into destination: from the block in
    // memory (waiting for its watermark while it is being fetched), else loaded from the block cache, else
    // fetched now. The reader's own stall clock (lastProgress) spans retries: a block whose fetch was
    // cancelled under it (another stream's seek) is fetched again, but the reader still fails within
    // RequestTimeout of the last progress it saw.
    private async ValueTask CopyBlockAsync(OpenFile open, long block, long lastBlockOfRead, int from, Memory<byte> destination, CancellationToken cancellationToken)
    {
        var key = new BlockKey(open.Key, block);
        var expected = _fetcher.BlockLength(open.Key, block);
        var to = from + destination.Length;
        var lastProgress = 0L;
        for (var attempt = 0; attempt < MaxBlockAttempts; attempt++)
        {
            var resident = _memory.TryPin(key);
            if (resident is null)
            {
                if (TryCopyFromCache(key, expected, from, destination.Span))
                {
                    return;
                }

                open.OnMissing(block);
                resident = _fetcher.FetchForReader(open.Target, block, (int)(lastBlockOfRead - block + 1));
            }

            try
            {
                var wait = resident.WaitForAsync(to);
                if (!wait.IsCompleted && resident.FromCache)
                {
                    await wait.WaitAsync(cancellationToken).ConfigureAwait(false); // a local load: no peer to time out
                }
                else if (!wait.IsCompleted)
                {
                    lastProgress = lastProgress == 0 ? _time.GetTimestamp() : lastProgress;
                    lastProgress = await WaitWithStallClockAsync(open, resident, wait, lastProgress, cancellationToken).ConfigureAwait(false);
                }
                else if (!wait.IsCompletedSuccessfully)
                {
                    await wait.ConfigureAwait(false); // throws the block's failure
                }

                resident.Data!.AsSpan(from, destination.Length).CopyTo(destination.Span);
                return;
            }
            catch (OperationCanceledException e) when (cancellationToken.IsCancellationRequested)
            {
                throw new VfsException(VfsError.Interrupted, "Interrupted.", e);
            }
            catch (OperationCanceledException)
            {
                ThrowIfDisposed(); // else the fetch belonged to a prefetch stream that was cancelled: fetch it ourselves
            }
            catch (VfsException e)
            {
                throw new VfsException(e.Error, e.Message, e);
            }
            finally
            {
                _memory.Unpin(resident, consumed: to == expected);
            }
        }

        throw new VfsException(VfsError.IoError, $"Block {block} of '{open.Key.Path}' could not be kept long enough to read it.");
    }

    // Waits for a block's watermark; fails when neither this reader nor the block's request saw progress
    // for RequestTimeout. Returns the latest progress seen.
    private async ValueTask<long> WaitWithStallClockAsync(OpenFile open, ResidentBlock resident, Task wait, long lastProgress, CancellationToken cancellationToken)
    {
        while (true)
        {
            lastProgress = Math.Max(lastProgress, resident.Progress?.LastTimestamp ?? 0);
            var remaining = _options.RequestTimeout - _time.GetElapsedTime(lastProgress);
            if (remaining <= TimeSpan.Zero)
            {
                _health.ReportTimeout(open.Key.Peer);
                _logger.PeerTimedOut(PeerName.Display(open.Key.Peer), _options.FailFastPeriod);
                throw new VfsException(VfsError.IoError, $"The peer did not answer within {_options.RequestTimeout.TotalSeconds:0.###} s.");
            }

            try
            {
                await wait.WaitAsync(remaining, _time, cancellationToken).ConfigureAwait(false);
                return lastProgress;
            }
            catch (TimeoutException)
            {
                // Look at the request's progress again: it may be slow but moving.
            }
        }
    }

    // A block the cache holds: loaded into memory for the kernel's further reads of it (when a buffer is
    // free, else into a transient one) and copied. False when it is not cached (or corrupt: the cache
    // dropped it) or when it appeared in memory meanwhile (the caller pins it then).
    private bool TryCopyFromCache(BlockKey key, int expected, int from, Span<byte> destination)
    {
        if (!_cache.Contains(key.File, key.Index))
        {
            return false;
        }

        var loading = _memory.Register(key, expected, fromCache: true, progress: null, pinForReader: false, out _);
        if (loading is null)
        {
            return false;
        }

        if (!_memory.TryAllocate(loading))
        {
            _memory.Fail(loading, new OperationCanceledException("No buffer free for a cache load."));
            return TryCopyTransient(key, expected, from, destination);
        }

        var length = _cache.TryRead(key.File, key.Index, loading.Data!);
        if (length != expected)
        {
            // Absent, corrupt (-1) or of the wrong length for this version: treat as missing.
            _memory.Fail(loading, new OperationCanceledException("The cached block could not be read."));
            return false;
        }

        loading.Data!.AsSpan(from, destination.Length).CopyTo(destination);
        _memory.Settle(loading);
        _memory.Unpin(loading, consumed: from + destination.Length == expected);
        return true;
    }

    private bool TryCopyTransient(BlockKey key, int expected, int from, Span<byte> destination)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(_blockSize);
        try
        {
            if (_cache.TryRead(key.File, key.Index, buffer) != expected)
            {
                return false;
            }

            buffer.AsSpan(from, destination.Length).CopyTo(destination);
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    // Starts the prefetch requests a stream asked for; as each ends, asks the stream for more.
    private void IssuePrefetch(OpenFile open, List<OpenFile.Request> requests)
    {
        while (requests.Count > 0)
        {
            List<OpenFile.Request> more = [];
            foreach (var request in requests)
            {
                var fetch = _fetcher.Fetch(open.Target, request.FirstBlock, request.BlockCount, request.Token);
                if (fetch.IsCompleted)
                {
                    more.AddRange(open.OnDone(request.Generation, fetch.Result));
                }
                else
                {
                    _ = fetch.ContinueWith(
                        (t, state) =>
                        {
                            var (vfs, file, generation) = ((VirtualFileSystem, OpenFile, int))state!;
                            if (Volatile.Read(ref vfs._disposed) == 0)
                            {
                                vfs.IssuePrefetch(file, file.OnDone(generation, t.Result));
                            }
                        },
                        (this, open, request.Generation),
                        CancellationToken.None,
                        TaskContinuationOptions.ExecuteSynchronously,
                        TaskScheduler.Default);
                }
            }

            requests = more;
        }
    }
}

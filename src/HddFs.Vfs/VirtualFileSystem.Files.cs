using System.Buffers;
using HddFs.Core;

namespace HddFs.Vfs;

// open / read / release: reads assemble blocks from the block cache (or the in-memory buffer of refused
// blocks), fetching missing ones through BlockFetcher, with a per-handle prefetch stream (ReadAhead).
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
        var open = new OpenFile(NextHandle(), new FetchTarget(file, key), _blockSize, _options);
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

    // Copies bytes [from, from + destination.Length) of one block into destination.
    private async ValueTask CopyBlockAsync(OpenFile open, long block, long lastBlockOfRead, int from, Memory<byte> destination, CancellationToken cancellationToken)
    {
        if (open.TryCopyFromScratch(block, from, destination.Span))
        {
            return;
        }

        var key = open.Key;
        var expected = _fetcher.BlockLength(key, block);
        for (var attempt = 0; attempt < MaxBlockAttempts; attempt++)
        {
            if (TryCopyFromCache(open, block, expected, from, destination.Span))
            {
                return;
            }

            if (_memory.TryGet(key, block, out var kept) && kept.Length == expected)
            {
                kept.AsSpan(from, destination.Length).CopyTo(destination.Span);
                return;
            }

            // In flight already (a prefetch or another reader), or fetched now with the rest of this read.
            var pending = _fetcher.FetchForReader(open.Target, block, (int)(lastBlockOfRead - block + 1));

            byte[]? bytes;
            try
            {
                bytes = await pending.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException e) when (cancellationToken.IsCancellationRequested)
            {
                throw new VfsException(VfsError.Interrupted, "Interrupted.", e);
            }
            catch (OperationCanceledException)
            {
                ThrowIfDisposed();
                continue; // the fetch belonged to a prefetch stream that was cancelled: fetch it ourselves
            }
            catch (VfsException e)
            {
                throw new VfsException(e.Error, e.Message, e);
            }

            if (bytes is not null)
            {
                bytes.AsSpan(from, destination.Length).CopyTo(destination.Span);
                return;
            }
        }

        throw new VfsException(VfsError.IoError, $"Block {block} of '{key.Path}' could not be kept long enough to read it.");
    }

    private bool TryCopyFromCache(OpenFile open, long block, int expected, int from, Span<byte> destination)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(_blockSize);
        var length = _cache.TryRead(open.Key, block, buffer);
        if (length != expected)
        {
            // Absent, corrupt (-1) or of the wrong length for this version: treat as missing.
            ArrayPool<byte>.Shared.Return(buffer);
            return false;
        }

        buffer.AsSpan(from, destination.Length).CopyTo(destination);
        open.KeepScratch(block, buffer, length);
        return true;
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

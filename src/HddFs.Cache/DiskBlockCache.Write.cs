using HddFs.Core;

namespace HddFs.Cache;

// LOCK ORDER: _lock only. A write takes it twice: to reserve (evicting and unlinking first) and to
// publish; the file is written in between, without the lock.

public sealed partial class DiskBlockCache
{
    /// <summary>
    /// Stores block <paramref name="blockIndex"/> of <paramref name="file"/>. Every block but the file's
    /// last must be exactly <see cref="BlockSize"/> long, and the last exactly what remains of
    /// <see cref="FileKey.Size"/>. Evicts least recently used blocks (of any file) first so that the cap
    /// is never exceeded. Never fails for lack of space or an I/O error: the block is then simply not
    /// kept (see <see cref="CacheStatistics.WritesDropped"/>). A block already cached (or being written)
    /// is not written again; it only becomes the most recently used.
    /// </summary>
    /// <exception cref="ArgumentException">The data is longer than a block, or not the block's length.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The block index is negative or past the end of the file.</exception>
    public void Write(FileKey file, long blockIndex, ReadOnlySpan<byte> data)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(blockIndex);
        if (data.Length > BlockSize)
        {
            throw new ArgumentException($"A block holds at most {BlockSize} bytes; got {data.Length}.", nameof(data));
        }

        var expected = BlockFormat.ExpectedLength(file, blockIndex, BlockSize);
        if (expected == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(blockIndex), blockIndex, $"A file of {file.Size} bytes has no block {blockIndex}.");
        }

        if (data.Length != expected)
        {
            throw new ArgumentException(
                $"Block {blockIndex} of a file of {file.Size} bytes is {expected} bytes long (only a file's last block may be shorter than {BlockSize}); got {data.Length}.",
                nameof(data));
        }

        var identity = BlockFormat.BuildIdentity(file);
        var trailer = BlockFormat.BuildTrailer(identity, blockIndex, data, out var name);
        var charge = BlockFormat.Charge(data.Length + trailer.Length);
        var id = new BlockId(file, blockIndex);
        var pending = new PendingWrite();
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var existing = FindLocked(file, blockIndex);
            if (existing is not null)
            {
                _lru.MoveToNewest(existing);
                _orderChanged = true;
                return;
            }

            if (_pending.ContainsKey(id))
            {
                return;
            }

            if (!ReserveLocked(charge))
            {
                _writesDropped++;
                return;
            }

            _pending.Add(id, pending);
        }

        var path = _layout.BlockPath(name);
        var temp = path + CacheLayout.TempSuffix;
        Exception? failure = null;
        var complete = false;
        try
        {
            using (var handle = File.OpenHandle(temp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                if (!_unbuffered.TryWrite(handle, data, trailer))
                {
                    RandomAccess.Write(handle, data, 0);
                    RandomAccess.Write(handle, trailer, data.Length);
                }
            }

            File.Move(temp, path, overwrite: true);
            complete = true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            failure = ex;
        }
        finally
        {
            // Also reached by an unexpected exception: the reservation must not leak, nor the pending
            // entry (Dispose waits for pending writes).
            lock (_lock)
            {
                _pending.Remove(id);
                if (!complete)
                {
                    _writesDropped++;
                    DeleteChargedFileLocked(temp, charge);
                }
                else if (pending.Cancelled)
                {
                    _writesDropped++;
                    DeleteChargedFileLocked(path, charge);
                }
                else
                {
                    PublishLocked(file, identity, blockIndex, data.Length, name, charge);
                    _writes++;
                }
            }
        }

        if (failure is not null)
        {
            ReportWriteFailure(path, failure);
        }
    }

    /// <summary>Logs a failed write, at most once per <see cref="WriteFailureLogInterval"/> (a full disk
    /// fails every write, and the mount keeps working without the cache).</summary>
    private void ReportWriteFailure(string path, Exception failure)
    {
        long suppressed;
        lock (_lock)
        {
            var now = _timeProvider.GetTimestamp();
            if (_lastWriteFailureLog is { } last && _timeProvider.GetElapsedTime(last, now) < WriteFailureLogInterval)
            {
                _suppressedWriteFailures++;
                return;
            }

            _lastWriteFailureLog = now;
            suppressed = _suppressedWriteFailures;
            _suppressedWriteFailures = 0;
        }

        Log.WriteFailed(_logger, path, suppressed, failure);
    }
}

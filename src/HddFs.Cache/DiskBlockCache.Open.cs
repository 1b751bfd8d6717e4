using System.Buffers;

namespace HddFs.Cache;

// LOCK ORDER: _lock only (taken once, to index what the scan found; the scan runs in the constructor,
// before the cache is shared).

public sealed partial class DiskBlockCache
{
    /// <summary>
    /// Rebuilds the index from disk: checks the format, reads every block file's trailer (not its data:
    /// each read verifies that), deletes temporary files, strays and corrupt blocks, orders the blocks by
    /// the saved access order (then by write time), and evicts down to the capacity.
    /// </summary>
    private void Open()
    {
        var started = _timeProvider.GetTimestamp();
        _layout.EnsureFormat(BlockSize, _logger);
        var maxEntries = (int)Math.Min(Capacity / BlockFormat.AllocationUnit + 1, int.MaxValue / 32);
        var ranks = AccessOrderFile.Load(_layout.AccessOrder, maxEntries, _logger);

        var found = new List<FoundBlock>();
        foreach (var info in new DirectoryInfo(_layout.Blocks).EnumerateFileSystemInfos())
        {
            if (TryLoadBlock(info, out var block, out var name))
            {
                // Least recently used first: blocks named in the access-order file by rank, then the
                // blocks written after it was saved, by write time.
                var order = ranks.TryGetValue(name, out var rank) ? (0, (long)rank) : (1, info.LastWriteTimeUtc.Ticks);
                found.Add(new FoundBlock(block, name, BlockFormat.Charge(((FileInfo)info).Length), order));
            }
        }

        found.Sort(static (a, b) => a.Order.CompareTo(b.Order));
        int evicted;
        long evictedBytes;
        lock (_lock)
        {
            foreach (var f in found)
            {
                if (FindLocked(f.Block.File, f.Block.BlockIndex) is not null)
                {
                    continue; // cannot happen (the name is a hash of file and index); never index twice
                }

                PublishLocked(f.Block.File, f.Block.Identity, f.Block.BlockIndex, f.Block.DataLength, f.Name, f.Charge);
                _usedBytes += f.Charge;
            }

            var before = _usedBytes;
            var blocksBefore = _lru.Count;
            while (_usedBytes > Capacity && _lru.Oldest is { } victim)
            {
                RemoveLocked(victim);
                _evictions++;
            }

            evicted = blocksBefore - _lru.Count;
            evictedBytes = before - _usedBytes;
            _orderChanged = evicted > 0 || found.Count != ranks.Count;
        }

        if (evicted > 0)
        {
            Log.EvictedAtOpen(_logger, Capacity, evicted, evictedBytes);
        }

        var elapsed = _timeProvider.GetElapsedTime(started);
        Log.Opened(_logger, _layout.Root, found.Count - evicted, _usedBytes, Capacity, elapsed.TotalMilliseconds);
    }

    /// <summary>Validates one entry of blocks/; anything that is not a consistent block file is deleted.</summary>
    private bool TryLoadBlock(FileSystemInfo info, out ParsedBlock block, out UInt128 name)
    {
        block = default;
        name = default;
        var path = info.FullName;
        // Attributes come from the stat the enumeration already did; a symlink is ReparsePoint.
        var isLink = info.Attributes.HasFlag(FileAttributes.ReparsePoint);
        if (info is not FileInfo file || isLink)
        {
            RemoveStray(path, isDirectory: info is DirectoryInfo && !isLink, "not a regular file");
            return false;
        }

        if (info.Name.EndsWith(CacheLayout.TempSuffix, StringComparison.Ordinal))
        {
            RemoveStray(path, isDirectory: false, "unfinished write");
            return false;
        }

        if (!BlockFormat.TryParseFileName(info.Name, out name))
        {
            RemoveStray(path, isDirectory: false, "not a block name");
            return false;
        }

        var reason = "truncated";
        var length = file.Length;
        var tailLength = (int)Math.Min(length, BlockFormat.MaxIdentityLength + BlockFormat.FooterLength);
        var rented = ArrayPool<byte>.Shared.Rent(tailLength);
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var tail = rented.AsSpan(0, tailLength);
            if (ReadFully(handle, tail, length - tailLength) == tailLength
                && BlockFormat.TryParseTail(tail, length, name, BlockSize, out block, out reason))
            {
                return true;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            reason = ex.Message;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }

        Log.CorruptBlock(_logger, path, reason);
        _corruptBlocks++;
        TryDelete(path, isDirectory: false);
        return false;
    }

    private void RemoveStray(string path, bool isDirectory, string reason)
    {
        Log.RemovedStray(_logger, path, reason);
        TryDelete(path, isDirectory);
    }

    private void TryDelete(string path, bool isDirectory)
    {
        try
        {
            if (isDirectory)
            {
                Directory.Delete(path, recursive: true);
            }
            else
            {
                File.Delete(path);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.DeleteFailed(_logger, path, ex);
        }
    }

    private readonly record struct FoundBlock(ParsedBlock Block, UInt128 Name, long Charge, (int Tier, long Value) Order);
}

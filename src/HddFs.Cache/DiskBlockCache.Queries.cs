using HddFs.Core;

namespace HddFs.Cache;

// LOCK ORDER: _lock only.

public sealed partial class DiskBlockCache
{
    /// <summary>Whether the block is cached (cheap: the index only; neither verifies nor touches it).</summary>
    public bool Contains(FileKey file, long blockIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(blockIndex);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return FindLocked(file, blockIndex) is not null;
        }
    }

    /// <summary>Data bytes of <paramref name="file"/> (this exact version) currently cached.</summary>
    public long CachedBytes(FileKey file)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _files.TryGetValue(file, out var cached) ? cached.DataBytes : 0;
        }
    }

    /// <summary>The byte ranges of <paramref name="file"/> that are cached, sorted, adjacent blocks
    /// merged (each range starts on a block boundary; the file's short last block ends at its size).</summary>
    public IReadOnlyList<ByteRange> GetCachedRanges(FileKey file)
    {
        long[] indices;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_files.TryGetValue(file, out var cached))
            {
                return [];
            }

            indices = [.. cached.Blocks.Keys];
        }

        Array.Sort(indices);
        var ranges = new List<ByteRange>();
        foreach (var index in indices)
        {
            var offset = index * BlockSize;
            var length = BlockFormat.ExpectedLength(file, index, BlockSize);
            if (ranges.Count > 0 && ranges[^1].End == offset)
            {
                ranges[^1] = ranges[^1] with { Length = ranges[^1].Length + length };
            }
            else
            {
                ranges.Add(new ByteRange(offset, length));
            }
        }

        return ranges;
    }

    /// <summary>Drops every cached version of <paramref name="path"/> of <paramref name="peer"/> (used
    /// when the remote file changed); writes of it in flight are discarded. Returns the blocks removed.</summary>
    public int Invalidate(PeerId peer, SharePath path) => RemoveVersions(peer, path, keep: null);

    /// <summary>Drops the cached versions of <paramref name="current"/>'s path other than
    /// <paramref name="current"/> itself. Returns the blocks removed.</summary>
    public int RemoveOlderVersions(FileKey current) => RemoveVersions(current.Peer, current.Path, keep: current);

    /// <summary>A snapshot of the counters and occupancy.</summary>
    public CacheStatistics GetStatistics()
    {
        lock (_lock)
        {
            return new CacheStatistics(
                Hits: Interlocked.Read(ref _hits),
                Misses: Interlocked.Read(ref _misses),
                Writes: _writes,
                WritesDropped: _writesDropped,
                Evictions: _evictions,
                CorruptBlocks: _corruptBlocks,
                Blocks: _lru.Count,
                Files: _files.Count,
                UsedBytes: _usedBytes,
                Capacity: Capacity);
        }
    }

    private int RemoveVersions(PeerId peer, SharePath path, FileKey? keep)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            foreach (var (id, pending) in _pending)
            {
                if (id.File.Peer == peer && id.File.Path == path && id.File != keep)
                {
                    pending.Cancelled = true;
                }
            }

            if (!_versions.TryGetValue((peer, path), out var versions))
            {
                return 0;
            }

            var removed = 0;
            foreach (var file in versions.ToArray())
            {
                if (file.Key == keep)
                {
                    continue;
                }

                foreach (var entry in file.Blocks.Values.ToArray())
                {
                    RemoveLocked(entry);
                    removed++;
                }
            }

            return removed;
        }
    }
}

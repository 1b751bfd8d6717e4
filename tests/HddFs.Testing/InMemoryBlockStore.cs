using HddFs.Core;

namespace HddFs.Testing;

/// <summary>
/// A block cache in memory for tests: a byte cap with least-recently-used eviction, a switch to refuse
/// every write (a full or failing cache), corruption of single blocks (reported as missing, as a real
/// store reports a failed checksum), and counters. Thread-safe.
/// </summary>
public sealed class InMemoryBlockStore : IBlockStore
{
    private readonly Lock _lock = new();
    private readonly long _capacity;

    // guarded by _lock
    private readonly Dictionary<(FileKey File, long Block), LinkedListNode<Entry>> _blocks = [];
    private readonly Dictionary<FileKey, long> _bytesPerFile = [];
    private readonly LinkedList<Entry> _lru = new(); // most recently used first
    private long _bytes;

    // atomics
    private int _reads;
    private int _hits;
    private int _writes;

    public InMemoryBlockStore(int blockSize = 64 * 1024, long capacityBytes = long.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(blockSize);
        BlockSize = blockSize;
        _capacity = capacityBytes;
    }

    public int BlockSize { get; }

    /// <summary>When true every write is silently dropped (as a full cache may do).</summary>
    public bool RefuseWrites { get; set; }

    public int Reads => Volatile.Read(ref _reads);

    public int Hits => Volatile.Read(ref _hits);

    public int Writes => Volatile.Read(ref _writes);

    public long Bytes
    {
        get
        {
            lock (_lock)
            {
                return _bytes;
            }
        }
    }

    public int TryRead(FileKey file, long blockIndex, Span<byte> destination)
    {
        Interlocked.Increment(ref _reads);
        lock (_lock)
        {
            if (!_blocks.TryGetValue((file, blockIndex), out var node) || node.Value.Corrupt)
            {
                return -1;
            }

            if (destination.Length < BlockSize)
            {
                throw new ArgumentException("Destination shorter than a block.", nameof(destination));
            }

            _lru.Remove(node);
            _lru.AddFirst(node);
            node.Value.Data.CopyTo(destination);
            Interlocked.Increment(ref _hits);
            return node.Value.Data.Length;
        }
    }

    public void Write(FileKey file, long blockIndex, ReadOnlySpan<byte> data)
    {
        if (data.Length > BlockSize || data.IsEmpty)
        {
            throw new ArgumentException($"A block is 1..{BlockSize} bytes, got {data.Length}.", nameof(data));
        }

        Interlocked.Increment(ref _writes);
        if (RefuseWrites || data.Length > _capacity)
        {
            return;
        }

        var copy = data.ToArray();
        lock (_lock)
        {
            RemoveLocked((file, blockIndex));
            var node = _lru.AddFirst(new Entry(file, blockIndex, copy));
            _blocks[(file, blockIndex)] = node;
            _bytesPerFile[file] = _bytesPerFile.GetValueOrDefault(file) + copy.Length;
            _bytes += copy.Length;
            while (_bytes > _capacity && _lru.Last is { } last)
            {
                RemoveLocked((last.Value.File, last.Value.Block));
            }
        }
    }

    public bool Contains(FileKey file, long blockIndex)
    {
        lock (_lock)
        {
            return _blocks.ContainsKey((file, blockIndex));
        }
    }

    public long CachedBytes(FileKey file)
    {
        lock (_lock)
        {
            return _bytesPerFile.GetValueOrDefault(file);
        }
    }

    /// <summary>Makes a stored block fail its "checksum": reads report it missing until rewritten.</summary>
    public void Corrupt(FileKey file, long blockIndex)
    {
        lock (_lock)
        {
            if (_blocks.TryGetValue((file, blockIndex), out var node))
            {
                node.Value.Corrupt = true;
            }
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            _blocks.Clear();
            _bytesPerFile.Clear();
            _lru.Clear();
            _bytes = 0;
        }
    }

    private void RemoveLocked((FileKey File, long Block) key)
    {
        if (!_blocks.Remove(key, out var node))
        {
            return;
        }

        _lru.Remove(node);
        _bytes -= node.Value.Data.Length;
        var remaining = _bytesPerFile[key.File] - node.Value.Data.Length;
        if (remaining == 0)
        {
            _bytesPerFile.Remove(key.File);
        }
        else
        {
            _bytesPerFile[key.File] = remaining;
        }
    }

    private sealed class Entry(FileKey file, long block, byte[] data)
    {
        public FileKey File { get; } = file;

        public long Block { get; } = block;

        public byte[] Data { get; } = data;

        public bool Corrupt { get; set; }
    }
}

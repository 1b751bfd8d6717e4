using HddFs.Core;

namespace HddFs.Vfs;

/// <summary>
/// Fetched blocks the block cache refused (full or failing), kept in memory so prefetched data is not
/// lost before it is read. Bounded by bytes; least recently used blocks go first. The arrays are
/// immutable once added and may be shared with readers. Thread-safe.
///
/// LOCK ORDER: <see cref="_lock"/> is a leaf.
/// </summary>
internal sealed class MemoryBlockBuffer
{
    // immutable
    private readonly long _capacity;
    private readonly Lock _lock = new();

    // guarded by _lock
    private readonly Dictionary<(FileKey File, long Block), LinkedListNode<Item>> _items = [];
    private readonly LinkedList<Item> _lru = new(); // most recently used first
    private long _bytes;

    public MemoryBlockBuffer(long capacity) => _capacity = capacity;

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

    public void Add(FileKey file, long block, byte[] data)
    {
        if (data.Length > _capacity)
        {
            return;
        }

        lock (_lock)
        {
            if (_items.Remove((file, block), out var existing))
            {
                _lru.Remove(existing);
                _bytes -= existing.Value.Data.Length;
            }

            var node = _lru.AddFirst(new Item(file, block, data));
            _items[(file, block)] = node;
            _bytes += data.Length;
            while (_bytes > _capacity && _lru.Last is { } last)
            {
                _lru.RemoveLast();
                _items.Remove((last.Value.File, last.Value.Block));
                _bytes -= last.Value.Data.Length;
            }
        }
    }

    public bool TryGet(FileKey file, long block, out byte[] data)
    {
        lock (_lock)
        {
            if (_items.TryGetValue((file, block), out var node))
            {
                _lru.Remove(node);
                _lru.AddFirst(node);
                data = node.Value.Data;
                return true;
            }

            data = [];
            return false;
        }
    }

    public bool Contains(FileKey file, long block)
    {
        lock (_lock)
        {
            return _items.ContainsKey((file, block));
        }
    }

    private sealed record Item(FileKey File, long Block, byte[] Data);
}

using HddFs.Core;

namespace HddFs.Vfs;

/// <summary>
/// Directory listings by (peer, path), each fresh until a deadline, with at most one refresh in flight
/// per directory (concurrent callers share it: one RPC). Bounded by the total number of entries; least
/// recently used listings are dropped first (nodes keep their own latest entry, so dropping a listing
/// only costs a later RPC). Thread-safe.
///
/// LOCK ORDER: <see cref="_lock"/> is a leaf; no code outside this class runs under it.
/// </summary>
internal sealed class ListingCache
{
    // immutable
    private readonly long _maxEntries;
    private readonly Lock _lock = new();

    // guarded by _lock
    private readonly Dictionary<NodeKey, Slot> _slots = [];
    private readonly LinkedList<Slot> _lru = new(); // most recently used first; only slots with a listing
    private long _entries;

    public ListingCache(long maxEntries) => _maxEntries = maxEntries;

    /// <summary>Entries held by all cached listings.</summary>
    public long EntryCount
    {
        get
        {
            lock (_lock)
            {
                return _entries;
            }
        }
    }

    /// <summary>The cached listing (fresh or not), marking it recently used.</summary>
    public DirectoryListing? TryGet(NodeKey key, DateTimeOffset now, out bool fresh)
    {
        lock (_lock)
        {
            fresh = false;
            if (!_slots.TryGetValue(key, out var slot) || slot.Listing is null)
            {
                return null;
            }

            _lru.Remove(slot.LruNode);
            _lru.AddFirst(slot.LruNode);
            fresh = now < slot.FreshUntil;
            return slot.Listing;
        }
    }

    /// <summary>The cached listing without touching recency (for sizes and statistics).</summary>
    public DirectoryListing? Peek(NodeKey key)
    {
        lock (_lock)
        {
            return _slots.GetValueOrDefault(key)?.Listing;
        }
    }

    /// <summary>
    /// Joins the refresh in flight for <paramref name="key"/>, or registers a new one. When
    /// <paramref name="owner"/> is not null the caller must run the refresh and finish it with
    /// <see cref="Complete"/> (always, also on failure).
    /// </summary>
    public Task<DirectoryListing> JoinOrStartRefresh(NodeKey key, out TaskCompletionSource<DirectoryListing>? owner)
    {
        lock (_lock)
        {
            if (!_slots.TryGetValue(key, out var slot))
            {
                slot = new Slot(key);
                _slots[key] = slot;
            }

            if (slot.Pending is { } pending)
            {
                owner = null;
                return pending.Task;
            }

            owner = new TaskCompletionSource<DirectoryListing>(TaskCreationOptions.RunContinuationsAsynchronously);
            slot.Pending = owner;
            return owner.Task;
        }
    }

    /// <summary>
    /// Ends the refresh <paramref name="refresh"/>: installs <paramref name="listing"/> (when not null)
    /// fresh until <paramref name="freshUntil"/>, and returns the listing it replaced. A failed refresh
    /// (null) keeps the old listing as a fallback unless <paramref name="gone"/> (the directory no longer
    /// exists). Does not complete the task; the caller does that after applying the listing, outside any lock.
    /// </summary>
    public DirectoryListing? Complete(NodeKey key, TaskCompletionSource<DirectoryListing> refresh, DirectoryListing? listing, DateTimeOffset freshUntil, bool gone = false)
    {
        lock (_lock)
        {
            if (!_slots.TryGetValue(key, out var slot))
            {
                slot = new Slot(key);
                _slots[key] = slot;
            }

            if (ReferenceEquals(slot.Pending, refresh))
            {
                slot.Pending = null;
            }

            var previous = slot.Listing;
            if (listing is not null)
            {
                if (previous is not null)
                {
                    _entries -= previous.Entries.Length;
                    _lru.Remove(slot.LruNode);
                }

                slot.Listing = listing;
                slot.FreshUntil = freshUntil;
                _entries += listing.Entries.Length;
                _lru.AddFirst(slot.LruNode);
                EvictLocked(slot);
            }
            else if (gone && previous is not null)
            {
                _entries -= previous.Entries.Length;
                _lru.Remove(slot.LruNode);
                slot.Listing = null;
            }

            if (slot.Listing is null && slot.Pending is null)
            {
                _slots.Remove(key);
            }

            return previous;
        }
    }

    /// <summary>The listing stays usable as a fallback but is no longer fresh.</summary>
    public void Expire(NodeKey key)
    {
        lock (_lock)
        {
            if (_slots.TryGetValue(key, out var slot))
            {
                slot.FreshUntil = DateTimeOffset.MinValue;
            }
        }
    }

    /// <summary>Drops every listing of a peer that left the party.</summary>
    public void RemovePeer(PeerId peer)
    {
        lock (_lock)
        {
            foreach (var slot in _slots.Values.Where(s => s.Key.Peer == peer).ToList())
            {
                if (slot.Listing is not null)
                {
                    _entries -= slot.Listing.Entries.Length;
                    _lru.Remove(slot.LruNode);
                    slot.Listing = null;
                }

                if (slot.Pending is null)
                {
                    _slots.Remove(slot.Key);
                }
            }
        }
    }

    private void EvictLocked(Slot keep)
    {
        while (_entries > _maxEntries && _lru.Last is { } last && !ReferenceEquals(last.Value, keep))
        {
            var victim = last.Value;
            _lru.RemoveLast();
            _entries -= victim.Listing!.Entries.Length;
            victim.Listing = null;
            if (victim.Pending is null)
            {
                _slots.Remove(victim.Key);
            }
        }
    }

    private sealed class Slot
    {
        public Slot(NodeKey key)
        {
            Key = key;
            LruNode = new LinkedListNode<Slot>(this);
        }

        public NodeKey Key { get; }

        public LinkedListNode<Slot> LruNode { get; }

        public DirectoryListing? Listing { get; set; }

        public DateTimeOffset FreshUntil { get; set; }

        public TaskCompletionSource<DirectoryListing>? Pending { get; set; }
    }
}

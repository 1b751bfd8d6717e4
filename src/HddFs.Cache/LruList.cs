namespace HddFs.Cache;

/// <summary>
/// Intrusive doubly linked list of <see cref="BlockEntry"/>, oldest (next to evict) to newest. All
/// operations are O(1). Not thread-safe: the owning cache guards it with its lock.
/// Invariant: an entry is in the list exactly when <see cref="BlockEntry.IsLinked"/> is true.
/// </summary>
internal sealed class LruList
{
    public BlockEntry? Oldest { get; private set; }

    public BlockEntry? Newest { get; private set; }

    public int Count { get; private set; }

    public void AddNewest(BlockEntry entry)
    {
        if (entry.IsLinked)
        {
            throw new InvalidOperationException("Entry is already linked.");
        }

        entry.Older = Newest;
        entry.Newer = null;
        if (Newest is null)
        {
            Oldest = entry;
        }
        else
        {
            Newest.Newer = entry;
        }

        Newest = entry;
        entry.IsLinked = true;
        Count++;
    }

    public void Remove(BlockEntry entry)
    {
        if (!entry.IsLinked)
        {
            return;
        }

        if (entry.Older is null)
        {
            Oldest = entry.Newer;
        }
        else
        {
            entry.Older.Newer = entry.Newer;
        }

        if (entry.Newer is null)
        {
            Newest = entry.Older;
        }
        else
        {
            entry.Newer.Older = entry.Older;
        }

        entry.Older = null;
        entry.Newer = null;
        entry.IsLinked = false;
        Count--;
    }

    /// <summary>Marks <paramref name="entry"/> as just used (no-op when it is not linked).</summary>
    public void MoveToNewest(BlockEntry entry)
    {
        if (!entry.IsLinked || ReferenceEquals(entry, Newest))
        {
            return;
        }

        Remove(entry);
        AddNewest(entry);
    }

    /// <summary>Entries from oldest to newest.</summary>
    public IEnumerable<BlockEntry> OldestFirst()
    {
        for (var e = Oldest; e is not null; e = e.Newer)
        {
            yield return e;
        }
    }
}

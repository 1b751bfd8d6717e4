namespace HddFs.Vfs;

/// <summary>
/// An open directory: a snapshot of its children taken at open (or at a rewind once the snapshot went
/// stale), so offsets stay stable while it is read. The snapshot is an immutable object swapped
/// atomically; no lock needed.
/// </summary>
internal sealed class DirectoryHandle
{
    private volatile Snapshot _snapshot;

    public DirectoryHandle(ulong handle, Node node, Snapshot snapshot)
    {
        Handle = handle;
        Node = node;
        _snapshot = snapshot;
    }

    public ulong Handle { get; }

    public Node Node { get; }

    public Snapshot Current
    {
        get => _snapshot;
        set => _snapshot = value;
    }

    /// <summary>The children of the root (peers) or of a directory (a listing), and when it was taken.</summary>
    internal sealed record Snapshot(PartyView? Peers, DirectoryListing? Listing, DateTimeOffset TakenAt)
    {
        public int Count => Peers?.Sorted.Count ?? Listing!.Entries.Length;
    }
}

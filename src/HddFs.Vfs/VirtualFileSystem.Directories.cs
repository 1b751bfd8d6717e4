using System.Runtime.CompilerServices;
using HddFs.Core;

namespace HddFs.Vfs;

// opendir / readdir / readdirplus / releasedir over snapshots: offsets stay stable for a handle's life.
public sealed partial class VirtualFileSystem
{
    /// <summary>Opens a directory: takes a snapshot of its children (listing it if the cached listing is
    /// stale; a cached listing is used while the peer is unreachable). Returns the handle.</summary>
    public async ValueTask<ulong> OpenDirectoryAsync(ulong node, CancellationToken cancellationToken)
    {
        var directory = RequireNode(node);
        var snapshot = await TakeSnapshotAsync(directory, cancellationToken).ConfigureAwait(false);
        var handle = new DirectoryHandle(NextHandle(), directory, snapshot);
        _nodes.Open(directory);
        _directories[handle.Handle] = handle;
        return handle.Handle;
    }

    /// <summary>
    /// Up to <paramref name="maxEntries"/> entries starting at <paramref name="offset"/> (0 = the start; else
    /// a <see cref="VfsDirectoryEntry.NextOffset"/>), with attributes, lookups NOT counted (READDIR).
    /// "." and ".." come first. Reading from offset 0 again re-lists a stale snapshot (rewinddir).
    /// </summary>
    public ValueTask<IReadOnlyList<VfsDirectoryEntry>> ReadDirectoryAsync(ulong handle, long offset, int maxEntries, CancellationToken cancellationToken)
        => ReadDirectoryCoreAsync(handle, offset, maxEntries, plus: false, cancellationToken);

    /// <summary>
    /// As <see cref="ReadDirectoryAsync"/>, but every returned entry except "." and ".." carries one kernel
    /// lookup reference (READDIRPLUS). The adapter must call <see cref="Forget"/>(node, 1) for each such
    /// entry it does not pass on to the kernel (e.g. because its buffer filled up).
    /// </summary>
    public ValueTask<IReadOnlyList<VfsDirectoryEntry>> ReadDirectoryPlusAsync(ulong handle, long offset, int maxEntries, CancellationToken cancellationToken)
        => ReadDirectoryCoreAsync(handle, offset, maxEntries, plus: true, cancellationToken);

    /// <summary>Closes a directory handle. Unknown handles are ignored.</summary>
    public void ReleaseDirectory(ulong handle)
    {
        if (_directories.TryRemove(handle, out var released))
        {
            _nodes.Close(released.Node);
        }
    }

    // Synchronous unless a rewind finds the snapshot stale (one READDIRPLUS per ~25 entries: a 10k-entry
    // `ls -l` makes ~400 of these calls, so no state machine, one lock for the batch's nodes).
    private ValueTask<IReadOnlyList<VfsDirectoryEntry>> ReadDirectoryCoreAsync(ulong handle, long offset, int maxEntries, bool plus, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        if (!_directories.TryGetValue(handle, out var open))
        {
            throw new VfsException(VfsError.BadHandle, $"Unknown directory handle {handle}.");
        }

        if (offset < 0 || maxEntries < 0)
        {
            throw new VfsException(VfsError.InvalidArgument, "Negative offset or count.");
        }

        var snapshot = open.Current;
        if (offset == 0 && _time.GetUtcNow() - snapshot.TakenAt >= (open.Node.IsRoot ? TimeSpan.Zero : _options.ListingTtl))
        {
            return RewindAsync(open, maxEntries, plus, cancellationToken);
        }

        return ValueTask.FromResult<IReadOnlyList<VfsDirectoryEntry>>(Fill(open.Node, snapshot, offset, maxEntries, plus));
    }

    private async ValueTask<IReadOnlyList<VfsDirectoryEntry>> RewindAsync(DirectoryHandle open, int maxEntries, bool plus, CancellationToken cancellationToken)
    {
        var snapshot = open.Current;
        try
        {
            snapshot = await TakeSnapshotAsync(open.Node, cancellationToken).ConfigureAwait(false);
            open.Current = snapshot;
        }
        catch (VfsException e) when (e.Error is VfsError.IoError)
        {
            // Keep the snapshot we have: a rewind must not fail where the first pass worked.
        }

        return Fill(open.Node, snapshot, 0, maxEntries, plus);
    }

    // Entries [offset, offset + maxEntries) of the snapshot: "." and ".." (indices 0 and 1), then the
    // children. With plus, every child carries one kernel lookup reference.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private VfsDirectoryEntry[] Fill(Node directory, DirectoryHandle.Snapshot snapshot, long offset, int maxEntries, bool plus)
    {
        var total = snapshot.Count + 2L;
        var end = Math.Min(total, offset + maxEntries);
        if (end <= offset)
        {
            return [];
        }

        var result = new VfsDirectoryEntry[end - offset];
        var n = 0;
        var index = offset;
        for (; index < end && (index < 2 || snapshot.Listing is null); index++)
        {
            result[n++] = EntryAt(directory, snapshot, index, plus);
        }

        if (index < end && snapshot.Listing is { } listing)
        {
            var first = (int)(index - 2);
            var count = (int)(end - index);
            var inos = count <= 256 ? stackalloc ulong[count] : new ulong[count];
            if (plus)
            {
                _nodes.AcquireRange(listing, directory.Ino, first, count, inos);
            }
            else
            {
                listing.Inos.AsSpan(first, count).CopyTo(inos);
            }

            for (var i = 0; i < count; i++)
            {
                var child = first + i;
                result[n++] = new VfsDirectoryEntry(listing.Names[child], child + 3, new VfsEntry(inos[i], EntryAttributes(inos[i], listing.Entries[child]), _options.EntryTimeout));
            }
        }

        return result;
    }

    // "." and "..", or a peer of the root.
    private VfsDirectoryEntry EntryAt(Node directory, DirectoryHandle.Snapshot snapshot, long index, bool plus)
    {
        var next = index + 1;
        if (index == 0)
        {
            return new VfsDirectoryEntry(".", next, new VfsEntry(directory.Ino, CachedAttributes(directory), _options.EntryTimeout));
        }

        if (index == 1)
        {
            var parent = _nodes.TryGet(directory.Parent, out var p) ? p : _nodes.Root;
            return new VfsDirectoryEntry("..", next, new VfsEntry(parent.Ino, CachedAttributes(parent), _options.EntryTimeout));
        }

        var peer = snapshot.Peers!.Sorted[(int)(index - 2)];
        var key = new NodeKey(peer.Id, SharePath.Root);
        var primary = _nodes.Numbering.Primary(key);
        var ino = plus ? _nodes.Acquire(key, RootNode, null, primary, 1).Ino : _nodes.ResolveIno(key, primary);
        return new VfsDirectoryEntry(peer.Name, next, new VfsEntry(ino, PeerAttributes(ino, peer.Id), _options.EntryTimeout));
    }

    // Attributes from what is known, without any RPC (for "." and "..").
    private VfsAttributes CachedAttributes(Node node)
        => node.IsRoot ? RootAttributes()
            : node.Key.Path.IsRoot ? PeerAttributes(node.Ino, node.Key.Peer)
            : node.Entry is { } entry ? EntryAttributes(node.Ino, entry)
            : DirectoryAttributes(node.Ino, 0, 0);

    private async ValueTask<DirectoryHandle.Snapshot> TakeSnapshotAsync(Node directory, CancellationToken cancellationToken)
    {
        if (directory.IsRoot)
        {
            return new DirectoryHandle.Snapshot(_view, null, _time.GetUtcNow());
        }

        RequireVisible(directory);
        if (!directory.IsDirectory)
        {
            throw new VfsException(VfsError.NotADirectory, $"'{directory.Key.Path}' is not a directory.");
        }

        var listing = await GetListingAsync(directory.Key, cancellationToken).ConfigureAwait(false);
        return new DirectoryHandle.Snapshot(null, listing, _time.GetUtcNow());
    }
}

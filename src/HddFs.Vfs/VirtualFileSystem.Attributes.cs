using HddFs.Core;

namespace HddFs.Vfs;

// Lookup, forget and getattr: names resolve through the parent's listing (one RPC serves every child),
// with the root answered from the party view and peer directories synthesised.
public sealed partial class VirtualFileSystem
{
    /// <summary>
    /// Resolves <paramref name="name"/> in directory <paramref name="parent"/> and adds one kernel lookup
    /// reference to the result (undone by <see cref="Forget"/>). A name missing from a fresh (or, while
    /// the peer is unreachable, cached) listing is <see cref="VfsError.NotFound"/> without an RPC.
    /// </summary>
    public async ValueTask<VfsEntry> LookupAsync(ulong parent, string name, CancellationToken cancellationToken)
        => await TryLookupAsync(parent, name, cancellationToken).ConfigureAwait(false)
            ?? throw new VfsException(VfsError.NotFound, $"No '{name}' in directory {parent}.");

    /// <summary>
    /// As <see cref="LookupAsync"/>, but a name that does not exist in the directory (no such peer, an
    /// invalid name, a name missing from the listing) is null rather than an exception: programs probe for
    /// names that do not exist all the time, and the mount answers those with negative entries. Failures
    /// of the directory itself still throw (NotFound when it or its peer is gone, NotADirectory, IoError,
    /// Interrupted). Completes synchronously when the listing is cached and fresh.
    /// </summary>
    public async ValueTask<VfsEntry?> TryLookupAsync(ulong parent, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        var directory = RequireNode(parent);
        if (directory.IsRoot)
        {
            if (!_view.TryGetByName(name, out var peer))
            {
                return null;
            }

            var key = new NodeKey(peer.Id, SharePath.Root);
            var peerNode = _nodes.Acquire(key, RootNode, null, _nodes.Numbering.Primary(key), 1);
            return new VfsEntry(peerNode.Ino, PeerAttributes(peerNode.Ino, peer.Id), _options.EntryTimeout);
        }

        RequireVisible(directory);
        if (!directory.IsDirectory)
        {
            throw new VfsException(VfsError.NotADirectory, $"'{directory.Key.Path}' is not a directory.");
        }

        if (!SharePath.IsValidComponent(name, out _))
        {
            return null;
        }

        DirectoryListing listing;
        try
        {
            listing = await GetListingAsync(directory.Key, cancellationToken).ConfigureAwait(false);
        }
        catch (VfsException e) when (e.Error == VfsError.IoError && _nodes.Find(directory.Key.Child(name)) is { Entry: not null } known)
        {
            // Nothing listed is cached, but the kernel already knew this child: answer from its last entry.
            var again = _nodes.Acquire(known.Key, directory.Ino, known.Entry, known.Ino, 1);
            return new VfsEntry(again.Ino, EntryAttributes(again.Ino, again.Entry ?? known.Entry!), _options.EntryTimeout);
        }

        if (!listing.TryFind(name, out var index))
        {
            return null;
        }

        var entry = listing.Entries[index];
        var node = _nodes.Acquire(new NodeKey(directory.Key.Peer, entry.Path), directory.Ino, entry, listing.Inos[index], 1);
        if (_nodes.Refresh(node, entry))
        {
            Raise(new VfsInvalidation(VfsInvalidationKind.Node, node.Ino, null));
        }

        return new VfsEntry(node.Ino, EntryAttributes(node.Ino, entry), _options.EntryTimeout);
    }

    /// <summary>The kernel dropped <paramref name="count"/> lookup references. Never fails.</summary>
    public void Forget(ulong node, ulong count)
    {
        if (Volatile.Read(ref _disposed) == 0)
        {
            _nodes.Forget(node, count);
        }
    }

    /// <summary>Attributes of a node, from the parent's listing (re-listed when stale; the cached entry is
    /// served while the peer is unreachable).</summary>
    public async ValueTask<VfsAttributes> GetAttributesAsync(ulong node, CancellationToken cancellationToken)
    {
        var found = RequireNode(node);
        if (found.IsRoot)
        {
            return RootAttributes();
        }

        RequireVisible(found);
        if (found.Key.Path.IsRoot)
        {
            return PeerAttributes(found.Ino, found.Key.Peer);
        }

        var entry = await CurrentEntryAsync(found, cancellationToken).ConfigureAwait(false);
        return EntryAttributes(found.Ino, entry);
    }

    // The node's entry in the latest listing of its parent (refreshed when stale). Falls back to the
    // node's last entry when nothing can be listed (peer unreachable, nothing cached).
    private async ValueTask<RemoteEntry> CurrentEntryAsync(Node node, CancellationToken cancellationToken)
    {
        DirectoryListing listing;
        try
        {
            listing = await GetListingAsync(node.Key.Parent, cancellationToken).ConfigureAwait(false);
        }
        catch (VfsException e) when (e.Error == VfsError.IoError && node.Entry is { } known)
        {
            return known;
        }

        if (!listing.TryFind(node.Key.Path.Name, out var index))
        {
            throw new VfsException(VfsError.NotFound, $"'{node.Key.Path}' no longer exists.");
        }

        var entry = listing.Entries[index];
        if (_nodes.Refresh(node, entry))
        {
            Raise(new VfsInvalidation(VfsInvalidationKind.Node, node.Ino, null));
        }

        return entry;
    }

    // Nodes of a peer that left the party are gone (NotFound).
    private void RequireVisible(Node node)
    {
        if (!node.IsRoot && !_view.TryGetById(node.Key.Peer, out _))
        {
            throw new VfsException(VfsError.NotFound, $"The peer of '{node.Key.Path}' left the party.");
        }
    }

    private VfsAttributes EntryAttributes(ulong ino, RemoteEntry entry)
        => entry.IsDirectory
            ? DirectoryAttributes(ino, entry.Size, entry.ModifiedUnixMs)
            : new VfsAttributes(
                ino,
                IsDirectory: false,
                entry.Size,
                (entry.Size / 512) + (entry.Size % 512 == 0 ? 0 : 1),
                VfsAttributes.FileMode,
                LinkCount: 1,
                _options.Uid,
                _options.Gid,
                entry.ModifiedUnixMs,
                _blockSize,
                _options.AttributeTimeout);

    private VfsAttributes DirectoryAttributes(ulong ino, long size, long modifiedUnixMs)
        => new(ino, IsDirectory: true, size, Blocks: 0, VfsAttributes.DirectoryMode, LinkCount: 1, _options.Uid, _options.Gid, modifiedUnixMs, _blockSize, _options.AttributeTimeout);

    // A peer's directory: the cumulative size and newest mtime of its shares when their list is cached
    // (no RPC just to stat a peer), else 0 and the time the party last changed.
    private VfsAttributes PeerAttributes(ulong ino, PeerId peer)
    {
        var shares = _listings.Peek(new NodeKey(peer, SharePath.Root));
        var modified = shares is { LatestModifiedUnixMs: > 0 } ? shares.LatestModifiedUnixMs : Interlocked.Read(ref _viewChangedUnixMs);
        return DirectoryAttributes(ino, shares?.TotalSize ?? 0, modified);
    }

    private VfsAttributes RootAttributes()
        => DirectoryAttributes(RootNode, KnownPartySize(), Interlocked.Read(ref _viewChangedUnixMs));

    // Sum of the cached share sizes of all visible peers.
    private long KnownPartySize()
    {
        long total = 0;
        foreach (var peer in _view.Sorted)
        {
            total = DirectoryListing.SaturatingAdd(total, _listings.Peek(new NodeKey(peer.Id, SharePath.Root))?.TotalSize ?? 0);
        }

        return total;
    }
}

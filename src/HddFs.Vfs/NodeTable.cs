using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using HddFs.Core;

namespace HddFs.Vfs;

/// <summary>
/// The nodes the kernel may hold, by inode number and by (peer, path), with the kernel's lookup counts.
/// A node lives while the kernel holds a lookup on it or a handle is open on it; then it is dropped.
/// Inode numbers come from <see cref="InodeNumbering"/>: the same (peer, path) gets the same number
/// again after it was dropped. When a primary number is held by a live node of another key, the newcomer
/// probes for a free number and the assignment is remembered for the mount's lifetime (so it too stays
/// stable). Only a second 63-bit collision against such a remembered number could move a number.
///
/// LOCK ORDER: <see cref="_lock"/> is a leaf. Nothing else is locked while it is held, and no code
/// outside this class runs under it.
/// </summary>
internal sealed class NodeTable
{
    public const ulong RootIno = 1;

    // immutable
    private readonly InodeNumbering _numbering;
    private readonly Lock _lock = new();

    // guarded by _lock
    private readonly Dictionary<ulong, Node> _byIno = [];
    private readonly Dictionary<NodeKey, Node> _byKey = [];
    private readonly Dictionary<NodeKey, ulong> _probed = [];

    public NodeTable(InodeNumbering numbering)
    {
        _numbering = numbering;
        Root = new Node(RootIno, default, RootIno, null, isRoot: true);
        _byIno[RootIno] = Root;
    }

    public Node Root { get; }

    public InodeNumbering Numbering => _numbering;

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _byIno.Count;
            }
        }
    }

    public bool TryGet(ulong ino, [MaybeNullWhen(false)] out Node node)
    {
        lock (_lock)
        {
            return _byIno.TryGetValue(ino, out node);
        }
    }

    public Node? Find(NodeKey key)
    {
        lock (_lock)
        {
            return _byKey.GetValueOrDefault(key);
        }
    }

    /// <summary>The number <paramref name="key"/> has or would get now.</summary>
    public ulong ResolveIno(NodeKey key, ulong primary)
    {
        lock (_lock)
        {
            return InoForLocked(key, primary);
        }
    }

    /// <summary>Replaces each primary number in <paramref name="inos"/> with the number the entry's key
    /// has or would get now.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void ResolveInos(PeerId peer, RemoteEntry[] entries, ulong[] inos)
    {
        lock (_lock)
        {
            for (var i = 0; i < entries.Length; i++)
            {
                inos[i] = InoForLocked(new NodeKey(peer, entries[i].Path), inos[i]);
            }
        }
    }

    /// <summary>Gets or creates the node for <paramref name="key"/> and adds <paramref name="lookups"/>
    /// kernel references. <paramref name="entry"/> is used only when the node is created: an existing
    /// node's entry is kept current by <see cref="ApplyListing"/>, and a caller's snapshot may be older.</summary>
    public Node Acquire(NodeKey key, ulong parent, RemoteEntry? entry, ulong primary, ulong lookups)
    {
        lock (_lock)
        {
            if (!_byKey.TryGetValue(key, out var node))
            {
                node = new Node(InoForLocked(key, primary), key, parent, entry);
                _byKey[key] = node;
                _byIno[node.Ino] = node;
            }

            node.LookupCount += lookups;
            return node;
        }
    }

    /// <summary>
    /// READDIRPLUS: gets or creates the nodes of <paramref name="count"/> entries of
    /// <paramref name="listing"/> from <paramref name="first"/> on, adds one kernel reference to each, and
    /// writes their numbers to <paramref name="inos"/> — under one lock acquisition for the whole batch.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void AcquireRange(DirectoryListing listing, ulong parent, int first, int count, Span<ulong> inos)
    {
        var peer = listing.Directory.Peer;
        lock (_lock)
        {
            for (var i = 0; i < count; i++)
            {
                var entry = listing.Entries[first + i];
                var key = new NodeKey(peer, entry.Path);
                if (!_byKey.TryGetValue(key, out var node))
                {
                    node = new Node(InoForLocked(key, listing.Inos[first + i]), key, parent, entry);
                    _byKey[key] = node;
                    _byIno[node.Ino] = node;
                }

                node.LookupCount++;
                inos[i] = node.Ino;
            }
        }
    }

    /// <summary>Brings a node's entry up to the latest listing of its parent; returns true when its
    /// version changed (the caller raises the invalidation).</summary>
    public bool Refresh(Node node, RemoteEntry latest)
    {
        lock (_lock)
        {
            if (node.Entry is { } current && SameVersion(current, latest))
            {
                return false;
            }

            var changed = node.Entry is not null;
            node.Entry = latest;
            return changed;
        }
    }

    /// <summary>Drops <paramref name="count"/> kernel references; the node goes when none is left and no
    /// handle is open. Unknown numbers are ignored (the kernel may forget a node twice after a failure).</summary>
    public void Forget(ulong ino, ulong count)
    {
        lock (_lock)
        {
            if (_byIno.TryGetValue(ino, out var node) && !node.IsRoot)
            {
                node.LookupCount = count >= node.LookupCount ? 0 : node.LookupCount - count;
                DropIfUnusedLocked(node);
            }
        }
    }

    public void Open(Node node)
    {
        lock (_lock)
        {
            node.OpenCount++;
        }
    }

    /// <summary>Records that a file was opened as <paramref name="key"/>; returns the key of the previous
    /// open (null if none).</summary>
    public FileKey? OpenFile(Node node, FileKey key)
    {
        lock (_lock)
        {
            node.OpenCount++;
            var previous = node.LastOpenedKey;
            node.LastOpenedKey = key;
            return previous;
        }
    }

    public void Close(Node node)
    {
        lock (_lock)
        {
            if (node.OpenCount > 0)
            {
                node.OpenCount--;
            }

            DropIfUnusedLocked(node);
        }
    }

    /// <summary>
    /// A fresh listing of (peer, dir) arrived: updates the entries of existing nodes and reports, through
    /// <paramref name="invalidations"/>, every node whose version changed and every name that appeared
    /// or disappeared since <paramref name="previous"/> (only for nodes the kernel may hold).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void ApplyListing(NodeKey dir, DirectoryListing listing, DirectoryListing? previous, List<VfsInvalidation> invalidations)
    {
        lock (_lock)
        {
            var parent = _byKey.GetValueOrDefault(dir);
            for (var i = 0; i < listing.Entries.Length; i++)
            {
                var entry = listing.Entries[i];
                if (_byKey.TryGetValue(new NodeKey(dir.Peer, entry.Path), out var node) && node.Entry is { } old && !SameVersion(old, entry))
                {
                    node.Entry = entry;
                    invalidations.Add(new VfsInvalidation(VfsInvalidationKind.Node, node.Ino, null));
                    if (old.IsDirectory != entry.IsDirectory && parent is not null)
                    {
                        invalidations.Add(new VfsInvalidation(VfsInvalidationKind.Entry, parent.Ino, listing.Names[i]));
                    }
                }
            }

            if (previous is null || parent is null)
            {
                return;
            }

            var membershipChanged = false;
            foreach (var name in SymmetricDifference(previous, listing))
            {
                invalidations.Add(new VfsInvalidation(VfsInvalidationKind.Entry, parent.Ino, name));
                membershipChanged = true;
            }

            if (membershipChanged || previous.TotalSize != listing.TotalSize)
            {
                invalidations.Add(new VfsInvalidation(VfsInvalidationKind.Node, parent.Ino, null));
            }
        }
    }

    /// <summary>Same type, size and mtime: the same version of a remote file (or directory).</summary>
    public static bool SameVersion(RemoteEntry a, RemoteEntry b)
        => a.Size == b.Size && a.ModifiedUnixMs == b.ModifiedUnixMs && a.IsDirectory == b.IsDirectory;

    // Names in exactly one of two name-sorted listings (merge walk).
    private static IEnumerable<string> SymmetricDifference(DirectoryListing a, DirectoryListing b)
    {
        int i = 0, j = 0;
        while (i < a.Names.Length || j < b.Names.Length)
        {
            var c = i == a.Names.Length ? 1 : j == b.Names.Length ? -1 : string.CompareOrdinal(a.Names[i], b.Names[j]);
            if (c == 0)
            {
                i++;
                j++;
            }
            else if (c < 0)
            {
                yield return a.Names[i++];
            }
            else
            {
                yield return b.Names[j++];
            }
        }
    }

    private ulong InoForLocked(NodeKey key, ulong primary)
    {
        if (_byKey.TryGetValue(key, out var live))
        {
            return live.Ino;
        }

        if (_probed.TryGetValue(key, out var remembered) && !_byIno.ContainsKey(remembered))
        {
            return remembered;
        }

        var candidate = primary;
        for (var attempt = 1; _byIno.ContainsKey(candidate); attempt++)
        {
            candidate = InodeNumbering.Probe(primary, attempt);
        }

        if (candidate != primary)
        {
            _probed[key] = candidate;
        }

        return candidate;
    }

    private void DropIfUnusedLocked(Node node)
    {
        if (node.LookupCount == 0 && node.OpenCount == 0 && !node.IsRoot
            && _byKey.TryGetValue(node.Key, out var current) && ReferenceEquals(current, node))
        {
            _byKey.Remove(node.Key);
            _byIno.Remove(node.Ino);
        }
    }
}

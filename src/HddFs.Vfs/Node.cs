using HddFs.Core;

namespace HddFs.Vfs;

/// <summary>
/// A node the kernel may hold: the mount root, a peer's directory, or a directory or file in its shares.
/// Identity is immutable. <see cref="Entry"/> is a volatile reference to an immutable record, read
/// without a lock and written only under <see cref="NodeTable"/>'s lock. The counters are guarded by
/// that lock too.
/// </summary>
internal sealed class Node
{
    private volatile RemoteEntry? _entry;

    public Node(ulong ino, NodeKey key, ulong parent, RemoteEntry? entry, bool isRoot = false)
    {
        Ino = ino;
        Key = key;
        Parent = parent;
        IsRoot = isRoot;
        _entry = entry;
    }

    // immutable
    public ulong Ino { get; }

    public NodeKey Key { get; }

    /// <summary>The parent's inode number (the root's parent is the root). The kernel pins a parent
    /// while it holds a child, so this number stays valid.</summary>
    public ulong Parent { get; }

    public bool IsRoot { get; }

    /// <summary>The mount root or a peer's directory: attributes are synthesised, not listed.</summary>
    public bool IsPeerOrRoot => IsRoot || Key.Path.IsRoot;

    /// <summary>The entry from the parent's latest listing (null for the root and peer directories).</summary>
    public RemoteEntry? Entry
    {
        get => _entry;
        set => _entry = value;
    }

    public bool IsDirectory => _entry?.IsDirectory ?? true;

    /// <summary>The cache key of the file's current version (meaningful for files only).</summary>
    public FileKey FileKey
    {
        get
        {
            var e = _entry;
            return new FileKey(Key.Peer, Key.Path, e?.Size ?? 0, e?.ModifiedUnixMs ?? 0);
        }
    }

    // guarded by NodeTable._lock
    public ulong LookupCount { get; set; }

    public int OpenCount { get; set; }

    public FileKey? LastOpenedKey { get; set; }

    public override string ToString() => IsRoot ? "/" : $"{Ino} {Key}";
}

using System.Globalization;
using System.Text;
using HddFs.Core;

namespace HddFs.Vfs;

// Read-only extended attributes exposing transfer and cache state, and statfs. Neither makes an RPC.
public sealed partial class VirtualFileSystem
{
    /// <summary>Full key (hex) of the peer a node belongs to.</summary>
    public const string PeerAttribute = "user.hddfs.peer";

    /// <summary>The node's path in the peer's shares (share name first).</summary>
    public const string PathAttribute = "user.hddfs.path";

    /// <summary>Size in bytes (cumulative for directories), decimal.</summary>
    public const string SizeAttribute = "user.hddfs.size";

    /// <summary>Bytes of the file's current version present in the block cache, decimal.</summary>
    public const string CachedAttribute = "user.hddfs.cached";

    /// <summary>Files: "cached" (every byte cached), "offline" (not all cached and the peer is
    /// unreachable), "partial" (some cached), "remote" (none cached). Directories: "online" / "offline".</summary>
    public const string StateAttribute = "user.hddfs.state";

    private static readonly string[] FileAttributeNames = [PeerAttribute, PathAttribute, SizeAttribute, CachedAttribute, StateAttribute];
    private static readonly string[] DirectoryAttributeNames = [PeerAttribute, PathAttribute, SizeAttribute, StateAttribute];
    private static readonly string[] PeerAttributeNames = [PeerAttribute, SizeAttribute, StateAttribute];

    /// <summary>The attribute names of a node (none for the root).</summary>
    public IReadOnlyList<string> ListExtendedAttributes(ulong node)
    {
        var found = RequireNode(node);
        return found.IsRoot ? []
            : found.Key.Path.IsRoot ? PeerAttributeNames
            : found.IsDirectory ? DirectoryAttributeNames
            : FileAttributeNames;
    }

    /// <summary>The value (UTF-8, no terminator) of one attribute; <see cref="VfsError.NoAttribute"/>
    /// for a name the node does not have.</summary>
    public byte[] GetExtendedAttribute(ulong node, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var found = RequireNode(node);
        if (!ListExtendedAttributes(node).Contains(name, StringComparer.Ordinal))
        {
            throw new VfsException(VfsError.NoAttribute, $"No attribute '{name}'.");
        }

        var peer = found.Key.Peer;
        var value = name switch
        {
            PeerAttribute => peer.ToHex(),
            PathAttribute => found.Key.Path.Value,
            SizeAttribute => (found.Key.Path.IsRoot ? _listings.Peek(found.Key)?.TotalSize ?? 0 : found.Entry?.Size ?? 0).ToString(CultureInfo.InvariantCulture),
            CachedAttribute => CachedBytes(found.FileKey).ToString(CultureInfo.InvariantCulture),
            _ => State(found),
        };
        return Encoding.UTF8.GetBytes(value);
    }

    /// <summary>statfs: the known size of the party's shares, nothing free, the node count.</summary>
    public VfsStatistics GetFileSystemStatistics()
    {
        ThrowIfDisposed();
        var total = KnownPartySize();
        return new VfsStatistics(
            _blockSize,
            TotalBlocks: (total / _blockSize) + (total % _blockSize == 0 ? 0 : 1),
            FreeBlocks: 0,
            AvailableBlocks: 0,
            Files: _nodes.Count,
            FreeFiles: 0,
            MaxNameLength: SharePath.MaxComponentBytes);
    }

    // Bytes in the block cache, counting fetched blocks still queued for writing. The queue is asked first:
    // a block written between the two calls is counted twice for a moment (hence the clamp), never missed.
    private long CachedBytes(FileKey key)
    {
        var queued = _writer.QueuedBytes(key);
        return Math.Min(key.Size, queued + _cache.CachedBytes(key));
    }

    private string State(Node node)
    {
        var reachable = Unreachable(node.Key.Peer) is null;
        if (node.IsDirectory)
        {
            return reachable ? "online" : "offline";
        }

        var key = node.FileKey;
        var cached = CachedBytes(key);
        return cached >= key.Size ? "cached" : !reachable ? "offline" : cached > 0 ? "partial" : "remote";
    }
}

using HddFs.Fuse;
using HddFs.Vfs;

namespace HddFs.Mount;

/// <summary>VFS values → kernel values. Pure functions; no errors are decided here.</summary>
internal static class FuseConversions
{
    /// <summary>
    /// stat(2) of a node. NodeIds and inode numbers are the same number (the VFS keeps them 1:1), the
    /// generation is always 0 (a number is only reused for the same peer and path), and the one mtime
    /// the peer gives is also atime and ctime.
    /// </summary>
    public static FuseAttributes ToFuse(in VfsAttributes attributes)
    {
        var time = DateTimeOffset.FromUnixTimeMilliseconds(Math.Max(0, attributes.ModifiedUnixMs));
        return new FuseAttributes
        {
            Ino = attributes.Node,
            Type = attributes.IsDirectory ? FuseFileType.Directory : FuseFileType.RegularFile,
            Permissions = (UnixFileMode)(attributes.Mode & 0xFFF),
            Size = (ulong)Math.Max(0, attributes.Size),
            Blocks = (ulong)Math.Max(0, attributes.Blocks),
            LinkCount = attributes.LinkCount,
            Uid = attributes.Uid,
            Gid = attributes.Gid,
            BlockSize = (uint)Math.Max(0, attributes.BlockSize),
            AccessTime = time,
            ModificationTime = time,
            ChangeTime = time,
        };
    }

    /// <summary>A positive LOOKUP / READDIRPLUS entry: the name timeout from the entry, the attribute
    /// timeout from the attributes.</summary>
    public static FuseEntry ToFuse(in VfsEntry entry)
        => new(new NodeId(entry.Node), ToFuse(entry.Attributes), entry.EntryTimeout, entry.Attributes.Timeout);

    public static FuseStatFs ToFuse(in VfsStatistics statistics)
    {
        var blockSize = (uint)Math.Max(0, statistics.BlockSize);
        return new FuseStatFs
        {
            BlockSize = blockSize,
            FragmentSize = blockSize,
            Blocks = (ulong)Math.Max(0, statistics.TotalBlocks),
            BlocksFree = (ulong)Math.Max(0, statistics.FreeBlocks),
            BlocksAvailable = (ulong)Math.Max(0, statistics.AvailableBlocks),
            Files = (ulong)Math.Max(0, statistics.Files),
            FilesFree = (ulong)Math.Max(0, statistics.FreeFiles),
            MaxNameLength = (uint)Math.Max(0, statistics.MaxNameLength),
        };
    }
}

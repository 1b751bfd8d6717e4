namespace HddFs.Vfs;

/// <summary>
/// What stat(2) shows for a node. <see cref="Mode"/> is the full POSIX st_mode (type bits included):
/// directories 040555, files 0100444. <see cref="Timeout"/> is how long the kernel may cache these.
/// </summary>
/// <param name="Node">The inode number (stable per peer and path for the mount's lifetime).</param>
/// <param name="IsDirectory">Directory (root, peer, share or sub-directory) or regular file.</param>
/// <param name="Size">Bytes; for directories the cumulative size of everything under them.</param>
/// <param name="Blocks">512-byte blocks: ceil(size / 512) for files, 0 for directories (so du does not
/// count a tree twice).</param>
/// <param name="Mode">st_mode.</param>
/// <param name="LinkCount">Always 1 (1 tells find not to infer sub-directory counts).</param>
/// <param name="Uid">Owner: the mounting user (from the options).</param>
/// <param name="Gid">Group: the mounting user's (from the options).</param>
/// <param name="ModifiedUnixMs">mtime (also used for atime and ctime), Unix milliseconds.</param>
/// <param name="BlockSize">Preferred I/O size (st_blksize): the cache's block size.</param>
/// <param name="Timeout">How long the kernel may keep these attributes.</param>
public readonly record struct VfsAttributes(
    ulong Node,
    bool IsDirectory,
    long Size,
    long Blocks,
    uint Mode,
    uint LinkCount,
    uint Uid,
    uint Gid,
    long ModifiedUnixMs,
    int BlockSize,
    TimeSpan Timeout)
{
    /// <summary>S_IFDIR | 0555.</summary>
    public const uint DirectoryMode = 0x4000 | 0x16D;

    /// <summary>S_IFREG | 0444.</summary>
    public const uint FileMode = 0x8000 | 0x124;
}

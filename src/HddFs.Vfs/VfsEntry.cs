namespace HddFs.Vfs;

/// <summary>The answer to a lookup: the node, its attributes and how long the kernel may keep the name →
/// node binding. The inode generation is always 0: a number is only ever reused for the same peer and
/// path.</summary>
public readonly record struct VfsEntry(ulong Node, VfsAttributes Attributes, TimeSpan EntryTimeout);

/// <summary>One directory entry. <see cref="NextOffset"/> is the offset to pass to read the entry after
/// this one (stable for the lifetime of the directory handle). "." and ".." are returned first (offsets
/// 1 and 2) and never carry a lookup reference.</summary>
public readonly record struct VfsDirectoryEntry(string Name, long NextOffset, VfsEntry Entry);

/// <summary>An opened file: the handle for reads, and whether the kernel may keep the pages it cached
/// for this node (true only when the file is unchanged since the node was last opened).</summary>
public readonly record struct VfsOpenResult(ulong Handle, bool KeepCache);

/// <summary>statfs(2) for the mount: sizes in <see cref="BlockSize"/> units. The total is the sum of the
/// share sizes of the peers whose share lists are cached; nothing is ever free (read-only).</summary>
public readonly record struct VfsStatistics(
    int BlockSize,
    long TotalBlocks,
    long FreeBlocks,
    long AvailableBlocks,
    long Files,
    long FreeFiles,
    int MaxNameLength);

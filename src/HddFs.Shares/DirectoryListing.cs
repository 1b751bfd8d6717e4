namespace HddFs.Shares;

/// <summary>A regular file (or an in-share symlink to one, with the target's size and time).</summary>
internal readonly record struct ScannedFile(string Name, long Size, long ModifiedUnixMs);

/// <summary>A subdirectory. <see cref="Id"/> is its row id (new ids are handed out by the walker, so
/// the writer never has to look one up); <see cref="IsNew"/> when the index did not have it.</summary>
internal readonly record struct ScannedDirectory(string Name, long Id, bool IsNew);

/// <summary>
/// One directory as read from disk, handed from a walker to the writer. Owned by the walker until
/// it is written to the listing channel, by the writer afterwards; never shared.
/// </summary>
internal sealed class DirectoryListing(DirectoryWork work)
{
    public DirectoryWork Work { get; } = work;

    /// <summary>0 when the directory was read; otherwise the errno that stopped it (it is then
    /// hidden from the index, with its former contents).</summary>
    public int Errno { get; set; }

    /// <summary>True when a quick check found the directory unchanged: nothing to write.</summary>
    public bool Unchanged { get; set; }

    /// <summary>ctime (ns) at the start of the listing, or 0 when it was too recent to trust (the
    /// "racy" rule: a change in the same clock tick would not move it), forcing a re-list next time.</summary>
    public long ChangeNs { get; set; }

    public long ModifiedUnixMs { get; set; }

    public List<ScannedFile> Files { get; } = [];

    public List<ScannedDirectory> Directories { get; } = [];
}

/// <summary>A directory a walker is asked to read.</summary>
/// <param name="Share">The share being scanned.</param>
/// <param name="RelativePath">Path below the share root ("" for the root), '/'-separated.</param>
/// <param name="Id">Its row id in the dirs table.</param>
/// <param name="IsNew">The index has no children for it (skip the diff).</param>
/// <param name="RecurseIntoKnown">Also read subdirectories the index already knows (deep scans);
/// new subdirectories are always read.</param>
/// <param name="CheckFirst">Stat it first and read it only when its ctime differs from
/// <paramref name="KnownChangeNs"/> (quick scans).</param>
/// <param name="KnownChangeNs">The ctime stored by the last listing (0 = unknown).</param>
/// <param name="SharePathBytes">UTF-8 length of its share path (share name included).</param>
internal sealed record DirectoryWork(
    ShareScan Share,
    string RelativePath,
    long Id,
    bool IsNew,
    bool RecurseIntoKnown,
    bool CheckFirst,
    long KnownChangeNs,
    int SharePathBytes)
{
    public string FullPath => Share.FullPath(RelativePath);

    public string ChildPath(string name) => RelativePath.Length == 0 ? name : RelativePath + "/" + name;
}

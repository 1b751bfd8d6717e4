using HddFs.Core;

namespace HddFs.Vfs;

/// <summary>
/// One listing of a directory of a peer's shares: its direct children sorted by name (ordinal), their
/// names, and the inode number each had when the listing was taken. Immutable once built (the inode
/// array is filled in by <see cref="NodeTable.ResolveInos"/> before the listing is published), so readers
/// need no lock and a directory handle can keep it as a snapshot with stable offsets. Names are found by
/// binary search (no index to build for a listing that is only read through).
/// </summary>
internal sealed class DirectoryListing
{
    /// <param name="sortedNames">The entries' names, sorted ordinally, entries in the same order.</param>
    public DirectoryListing(NodeKey directory, RemoteEntry[] sortedEntries, string[] sortedNames, ulong[] inos)
    {
        Directory = directory;
        Entries = sortedEntries;
        Names = sortedNames;
        Inos = inos;
        foreach (var entry in sortedEntries)
        {
            TotalSize = SaturatingAdd(TotalSize, entry.Size);
            LatestModifiedUnixMs = Math.Max(LatestModifiedUnixMs, entry.ModifiedUnixMs);
        }
    }

    public NodeKey Directory { get; }

    public RemoteEntry[] Entries { get; }

    /// <summary>Entries[i].Name, computed once.</summary>
    public string[] Names { get; }

    public ulong[] Inos { get; }

    /// <summary>Sum of the entries' sizes (directories carry cumulative sizes).</summary>
    public long TotalSize { get; }

    public long LatestModifiedUnixMs { get; }

    public bool TryFind(string name, out int index)
    {
        index = Array.BinarySearch(Names, name, StringComparer.Ordinal);
        return index >= 0;
    }

    // Sizes come from a peer: never let a hostile one wrap a total negative.
    public static long SaturatingAdd(long a, long b) => a > long.MaxValue - b ? long.MaxValue : a + b;
}

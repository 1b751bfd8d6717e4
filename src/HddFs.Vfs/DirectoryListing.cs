using HddFs.Core;

namespace HddFs.Vfs;

/// <summary>
/// One listing of a directory of a peer's shares: its direct children sorted by name (ordinal), with the
/// inode number each had when the listing was taken. Immutable once built (the inode array is filled in
/// by <see cref="NodeTable.ResolveInos"/> before the listing is published), so readers need no lock and
/// a directory handle can keep it as a snapshot with stable offsets.
/// </summary>
internal sealed class DirectoryListing
{
    private readonly Dictionary<string, int> _index;

    public DirectoryListing(NodeKey directory, RemoteEntry[] sortedEntries, ulong[] inos)
    {
        Directory = directory;
        Entries = sortedEntries;
        Inos = inos;
        _index = new Dictionary<string, int>(sortedEntries.Length, StringComparer.Ordinal);
        for (var i = 0; i < sortedEntries.Length; i++)
        {
            _index[sortedEntries[i].Name] = i;
            TotalSize = SaturatingAdd(TotalSize, sortedEntries[i].Size);
            LatestModifiedUnixMs = Math.Max(LatestModifiedUnixMs, sortedEntries[i].ModifiedUnixMs);
        }
    }

    public NodeKey Directory { get; }

    public RemoteEntry[] Entries { get; }

    public ulong[] Inos { get; }

    /// <summary>Sum of the entries' sizes (directories carry cumulative sizes).</summary>
    public long TotalSize { get; }

    public long LatestModifiedUnixMs { get; }

    public bool TryFind(string name, out int index) => _index.TryGetValue(name, out index);

    // Sizes come from a peer: never let a hostile one wrap a total negative.
    public static long SaturatingAdd(long a, long b) => a > long.MaxValue - b ? long.MaxValue : a + b;
}

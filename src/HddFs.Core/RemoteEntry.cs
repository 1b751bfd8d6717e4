namespace HddFs.Core;

/// <summary>
/// One entry of a peer's shares as listed by <c>ls</c>. <see cref="Path"/> is the full share path
/// (share name first). Directories carry the cumulative size of everything under them.
/// <see cref="ModifiedUnixMs"/> is the modification time in Unix milliseconds (0 when unknown).
/// </summary>
public sealed record RemoteEntry(SharePath Path, long Size, bool IsDirectory, long ModifiedUnixMs)
{
    public string Name => Path.Name;
}

/// <summary>What an <c>ls</c> asks for: a directory (root = the list of shares) or a file, optionally
/// /// restricted to names containing <see cref="Search"/> (case-insensitive). A search always covers the
/// whole subtree under the path; without a search, <see cref="Recursive"/> chooses between the direct
/// children and the whole subtree.</summary>
public sealed record LsQuery(SharePath Path, string? Search = null, bool Recursive = false)
{
    /// <summary>Longest search term accepted anywhere (bytes of UTF-8).</summary>
    public const int MaxSearchBytes = 256;
}

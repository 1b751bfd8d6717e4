namespace HddFs.Shares;

/// <summary>A configured share as persisted in the shares table. Immutable.</summary>
/// <param name="Id">Row id.</param>
/// <param name="Name">Unique (case-insensitively) share name: the first component of its paths.</param>
/// <param name="Root">Real path of the shared directory.</param>
/// <param name="RootDirectoryId">Row id of its root in the dirs table.</param>
internal sealed record ShareRecord(long Id, string Name, string Root, long RootDirectoryId)
{
    /// <summary>The absolute path of <paramref name="relativePath"/> below the root.</summary>
    public string FullPathOf(string relativePath) => RealPaths.Join(Root, relativePath);
}

/// <summary>What the index knew about a directory when a scan started.</summary>
internal readonly record struct KnownDirectory(long Id, long ChangeNs);

internal enum ScanMode
{
    /// <summary>Stat every known directory, read only the changed ones (and new subtrees).</summary>
    Quick,

    /// <summary>Read every directory (picks up files modified in place, lost watcher events).</summary>
    Deep,

    /// <summary>Read the given directories (from watcher events) and new subtrees under them.</summary>
    Targeted,
}

namespace HddFs.Shares;

/// <summary>
/// The database layout (version <see cref="Version"/>). Directories and files live in separate
/// tables: directories are few and need ids, a path index and per-directory scan state; files are
/// many and are stored in one WITHOUT ROWID b-tree keyed by (directory, name), which is what makes
/// bulk indexing cheap (one b-tree insert per file, appended in order).
/// </summary>
internal static class IndexSchema
{
    public const int Version = 1;

    /// <summary>
    /// dirs.path is relative to the share root ('' for the root) and unique per share, so a subtree is
    /// the index range [path || '/', path || '0') ('0' follows '/' in byte order): whole components,
    /// never prefixes. dirs.size is cumulative (everything below), files_size the direct files only.
    /// change_ns is the ctime seen when the directory was last read (0 = read it again); readable = 0
    /// hides a directory that could not be read (its contents are not indexed). fold is the
    /// lower-cased name, NULL when equal to the name.
    /// </summary>
    public const string Create = """
        CREATE TABLE IF NOT EXISTS meta(
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS shares(
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            root TEXT NOT NULL UNIQUE,
            added_ms INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS dirs(
            id INTEGER PRIMARY KEY,
            share_id INTEGER NOT NULL,
            parent_id INTEGER,
            name TEXT NOT NULL,
            fold TEXT,
            path TEXT NOT NULL,
            change_ns INTEGER NOT NULL,
            mtime_ms INTEGER NOT NULL,
            files_size INTEGER NOT NULL,
            size INTEGER NOT NULL,
            readable INTEGER NOT NULL);
        CREATE UNIQUE INDEX IF NOT EXISTS dirs_by_path ON dirs(share_id, path);
        CREATE UNIQUE INDEX IF NOT EXISTS dirs_by_parent ON dirs(parent_id, name);
        CREATE TABLE IF NOT EXISTS files(
            dir_id INTEGER NOT NULL,
            name TEXT NOT NULL,
            fold TEXT,
            size INTEGER NOT NULL,
            mtime_ms INTEGER NOT NULL,
            PRIMARY KEY(dir_id, name)) WITHOUT ROWID;
        """;

    /// <summary>Lower-cased name for search, or null when it equals the name (saves a copy per row).
    /// Simple Unicode case mapping (invariant); no normalization.</summary>
    public static string? Fold(string name)
    {
        var folded = name.ToLowerInvariant();
        return string.Equals(folded, name, StringComparison.Ordinal) ? null : folded;
    }
}

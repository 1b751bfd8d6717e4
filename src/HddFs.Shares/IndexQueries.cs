using Microsoft.Data.Sqlite;

namespace HddFs.Shares;

/// <summary>A directory row as queries need it.</summary>
internal readonly record struct DirectoryRow(long Id, long Size, long ModifiedUnixMs, bool Readable);

/// <summary>One direct child of a directory.</summary>
internal readonly record struct ChildRow(string Name, bool IsDirectory, long Size, long ModifiedUnixMs);

/// <summary>A file row with its search key.</summary>
internal readonly record struct FileRow(string Name, string? Fold, long Size, long ModifiedUnixMs);

/// <summary>One row of a subtree walk: a directory, and one of its files (null when it has none).</summary>
internal readonly record struct SubtreeRow(long DirectoryId, string Path, string DirectoryName, string? DirectoryFold, long DirectorySize, long DirectoryModifiedUnixMs, FileRow? File);

/// <summary>
/// The read queries, each one short and on a connection the caller opened for it. Every listing is
/// keyset-paged (continue after the last name/path seen), so pages stay cheap however deep, and a
/// listing never holds a read transaction open while a slow consumer reads a page.
/// </summary>
internal static class IndexQueries
{
    /// <summary>Search keys are compared with instr() on the stored lower-cased name: a substring
    /// test with no wildcard characters, so nothing in a search term needs escaping.</summary>
    private const string DirectoryMatches = "instr(coalesce(d.fold, d.name), $term) > 0";
    private const string FileMatches = "instr(coalesce(f.fold, f.name), $term) > 0";

    /// <summary>Every share's root directory row, by share id.</summary>
    public static Dictionary<long, DirectoryRow> ShareRoots(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT share_id, id, size, mtime_ms, readable FROM dirs WHERE parent_id IS NULL";
        using var reader = command.ExecuteReader();
        var roots = new Dictionary<long, DirectoryRow>();
        while (reader.Read())
        {
            roots[reader.GetInt64(0)] = new DirectoryRow(reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4) != 0);
        }

        return roots;
    }

    public static DirectoryRow? FindDirectory(SqliteConnection connection, long shareId, string relativePath)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, size, mtime_ms, readable FROM dirs WHERE share_id = $share AND path = $path";
        command.Parameters.AddWithValue("$share", shareId);
        command.Parameters.AddWithValue("$path", relativePath);
        using var reader = command.ExecuteReader();
        return reader.Read() ? new DirectoryRow(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3) != 0) : null;
    }

    /// <summary>The file <paramref name="name"/> in the readable directory <paramref name="parentPath"/>.</summary>
    public static FileRow? FindFile(SqliteConnection connection, long shareId, string parentPath, string name)
    {
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT f.size, f.mtime_ms FROM dirs d JOIN files f ON f.dir_id = d.id
            WHERE d.share_id = $share AND d.path = $path AND d.readable = 1 AND f.name = $name
            """;
        command.Parameters.AddWithValue("$share", shareId);
        command.Parameters.AddWithValue("$path", parentPath);
        command.Parameters.AddWithValue("$name", name);
        using var reader = command.ExecuteReader();
        return reader.Read() ? new FileRow(name, null, reader.GetInt64(0), reader.GetInt64(1)) : null;
    }

    /// <summary>Direct children named after <paramref name="after"/>, in name order (directories and
    /// files merged; both come from (parent, name) indexes, so SQLite merges without sorting).</summary>
    public static async Task<List<ChildRow>> ChildrenAsync(SqliteConnection connection, long directoryId, string after, int limit, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT name, 1, size, mtime_ms FROM dirs WHERE parent_id = $dir AND name > $after AND readable = 1
            UNION ALL
            SELECT name, 0, size, mtime_ms FROM files WHERE dir_id = $dir AND name > $after
            ORDER BY 1 LIMIT $limit
            """;
        command.Parameters.AddWithValue("$dir", directoryId);
        command.Parameters.AddWithValue("$after", after);
        command.Parameters.AddWithValue("$limit", limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<ChildRow>(limit);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new ChildRow(reader.GetString(0), reader.GetInt64(1) != 0, reader.GetInt64(2), reader.GetInt64(3)));
        }

        return rows;
    }

    /// <summary>Files of one directory named after <paramref name="after"/>, optionally only those whose
    /// name contains <paramref name="term"/> (already lower-cased).</summary>
    public static async Task<List<FileRow>> FilesAsync(SqliteConnection connection, long directoryId, string after, string? term, int limit, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT f.name, f.fold, f.size, f.mtime_ms FROM files f
            WHERE f.dir_id = $dir AND f.name > $after {(term is null ? "" : "AND " + FileMatches)}
            ORDER BY f.name LIMIT $limit
            """;
        command.Parameters.AddWithValue("$dir", directoryId);
        command.Parameters.AddWithValue("$after", after);
        command.Parameters.AddWithValue("$limit", limit);
        if (term is not null)
        {
            command.Parameters.AddWithValue("$term", term);
        }

        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<FileRow>(limit);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(ReadFile(reader, 0));
        }

        return rows;
    }

    /// <summary>
    /// Readable directories of a share with paths in (<paramref name="low"/>, <paramref name="high"/>)
    /// (exclusive; no upper bound when null), each joined with its files, ordered by (path, file
    /// name): parents always come before their descendants. With a term, only rows where the
    /// directory or the file matches (plus directories without files, which the caller filters).
    /// </summary>
    public static async Task<List<SubtreeRow>> SubtreeAsync(
        SqliteConnection connection, long shareId, string low, string? high, string? term, int limit, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT d.id, d.path, d.name, d.fold, d.size, d.mtime_ms, f.name, f.fold, f.size, f.mtime_ms
            FROM dirs d LEFT JOIN files f ON f.dir_id = d.id
            WHERE d.share_id = $share AND d.path > $low {(high is null ? "" : "AND d.path < $high")} AND d.readable = 1
            {(term is null ? "" : $"AND (f.name IS NULL OR {DirectoryMatches} OR {FileMatches})")}
            ORDER BY d.path, f.name LIMIT $limit
            """;
        command.Parameters.AddWithValue("$share", shareId);
        command.Parameters.AddWithValue("$low", low);
        command.Parameters.AddWithValue("$limit", limit);
        if (high is not null)
        {
            command.Parameters.AddWithValue("$high", high);
        }

        if (term is not null)
        {
            command.Parameters.AddWithValue("$term", term);
        }

        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<SubtreeRow>(limit);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new SubtreeRow(
                reader.GetInt64(0),
                reader.GetString(1),
                reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.GetInt64(4),
                reader.GetInt64(5),
                reader.IsDBNull(6) ? null : ReadFile(reader, 6)));
        }

        return rows;
    }

    private static FileRow ReadFile(SqliteDataReader reader, int first)
        => new(reader.GetString(first), reader.IsDBNull(first + 1) ? null : reader.GetString(first + 1), reader.GetInt64(first + 2), reader.GetInt64(first + 3));
}

using System.Runtime.CompilerServices;
using System.Text;
using HddFs.Core;
using HddFs.Shares.Interop;
using Microsoft.Win32.SafeHandles;

namespace HddFs.Shares;

/// <summary>
/// <see cref="ILocalShares"/>: listings, search, lookups and opening files, for peers and for the
/// local view. Paths are matched by whole components against the index only; nothing that is not
/// in the index is ever listed or opened, and every open is checked against the share's real root.
/// </summary>
public sealed partial class ShareIndex
{
    /// <summary>Rows fetched per query while listing (independent of the caller's page size).</summary>
    private const int ChunkSize = 512;

    /// <summary>
    /// Lists <paramref name="query"/>'s path in pages of at most <paramref name="pageSize"/> entries.
    /// The root lists the shares (as directories with their cumulative sizes). A directory lists its
    /// direct children, or with <see cref="LsQuery.Recursive"/> every entry below it (parents before
    /// their contents); the directory itself is never included. A file lists itself. A search term
    /// always searches the whole subtree (Recursive or not), matching entry names that contain it,
    /// case-insensitively. Throws <see cref="RemoteShareException"/>: NotFound for an unknown path,
    /// TooLarge for a search term over <see cref="LsQuery.MaxSearchBytes"/> bytes.
    /// </summary>
    public async IAsyncEnumerable<IReadOnlyList<RemoteEntry>> ListAsync(
        LsQuery query, int pageSize, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var term = SearchTerm(query.Search);
        var page = new List<RemoteEntry>(Math.Min(pageSize, ChunkSize));
        await foreach (var entry in EntriesAsync(query, term, _shares, cancellationToken))
        {
            page.Add(entry);
            if (page.Count == pageSize)
            {
                yield return page;
                cancellationToken.ThrowIfCancellationRequested();
                page = new List<RemoteEntry>(Math.Min(pageSize, ChunkSize));
            }
        }

        if (page.Count > 0)
        {
            yield return page;
        }
    }

    /// <summary>The entry at <paramref name="path"/> (the root is a directory whose size is the sum of
    /// the shares), or null when the index has no such entry.</summary>
    public RemoteEntry? GetEntry(SharePath path)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var shares = _shares;
        using var connection = _database.OpenReader();
        if (path.IsRoot)
        {
            var roots = IndexQueries.ShareRoots(connection);
            var total = shares.Ordered.Sum(s => roots.TryGetValue(s.Id, out var r) && r.Readable ? r.Size : 0);
            return new RemoteEntry(SharePath.Root, total, IsDirectory: true, ModifiedUnixMs: 0);
        }

        return shares.ByName.TryGetValue(path.ShareName, out var share) ? Lookup(connection, share, path)?.Entry : null;
    }

    /// <summary>
    /// Opens a shared file read-only. The path must name a file in the index; the file is opened
    /// without following it into a FIFO or device (O_NONBLOCK, then fstat), and the kernel's path of
    /// the opened descriptor must lie under the share's real root — so a symlink swapped in after
    /// indexing cannot lead outside the share. Throws <see cref="RemoteShareException"/> with
    /// NotFound, NotAFile or Forbidden.
    /// </summary>
    public FileStream OpenRead(SharePath path)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (path.IsRoot)
        {
            throw new RemoteShareException(RemoteError.NotAFile, "The root is a directory.");
        }

        if (!_shares.ByName.TryGetValue(path.ShareName, out var share))
        {
            throw NotFound(path);
        }

        LookupResult? found;
        using (var connection = _database.OpenReader())
        {
            found = Lookup(connection, share, path);
        }

        if (found is null)
        {
            throw NotFound(path);
        }

        if (found.Value.Directory is not null)
        {
            throw new RemoteShareException(RemoteError.NotAFile, $"'{path}' is a directory.");
        }

        var full = share.FullPathOf(RelativePath(path));
        var fd = Libc.OpenPath(Libc.NulTerminated(full), Libc.ORdOnly | Libc.ONonBlock | Libc.ONoCtty);
        if (fd < 0)
        {
            throw -fd switch
            {
                Libc.ENoEnt or Libc.ENotDir => NotFound(path),
                Libc.EAcces or Libc.EPerm or Libc.ELoop => new RemoteShareException(RemoteError.Forbidden, $"'{path}' cannot be opened."),
                var errno => new RemoteShareException(RemoteError.Internal, $"'{path}' cannot be opened: {Errno.Describe(errno)}."),
            };
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            if (Libc.StatxFd(fd, out var stat) != 0)
            {
                throw new RemoteShareException(RemoteError.Internal, $"'{path}' cannot be inspected.");
            }

            if (stat.IsDirectory)
            {
                throw new RemoteShareException(RemoteError.NotAFile, $"'{path}' is a directory.");
            }

            if (!stat.IsRegularFile)
            {
                throw new RemoteShareException(RemoteError.Forbidden, $"'{path}' is not a regular file.");
            }

            var opened = RealPaths.OfDescriptor(fd);
            if (opened is null || !RealPaths.IsSameOrUnder(opened, Encoding.UTF8.GetBytes(share.Root)))
            {
                Log.ReadEscapesShare(_logger, full, opened is null ? "(unknown)" : Encoding.UTF8.GetString(opened), share.Root);
                throw new RemoteShareException(RemoteError.Forbidden, $"'{path}' leads outside its share.");
            }

            // Unbuffered: callers read large ranges. ReadAsync works on it (on Linux FileStream's async
            // I/O runs on the thread pool whether or not the handle was opened "async").
            return new FileStream(handle, FileAccess.Read, bufferSize: 0, isAsync: false);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private async IAsyncEnumerable<RemoteEntry> EntriesAsync(
        LsQuery query, string? term, ShareSet shares, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (query.Path.IsRoot)
        {
            Dictionary<long, DirectoryRow> roots;
            using (var connection = _database.OpenReader())
            {
                roots = IndexQueries.ShareRoots(connection);
            }

            foreach (var share in shares.Ordered)
            {
                var root = roots.GetValueOrDefault(share.Id);
                if (term is null || Matches(share.Name, null, term))
                {
                    yield return ShareEntry(share, root);
                }

                if ((term is not null || query.Recursive) && root.Readable)
                {
                    await foreach (var entry in SubtreeAsync(share, string.Empty, root.Id, term, cancellationToken))
                    {
                        yield return entry;
                    }
                }
            }

            yield break;
        }

        if (!shares.ByName.TryGetValue(query.Path.ShareName, out var owner))
        {
            throw NotFound(query.Path);
        }

        LookupResult? found;
        using (var connection = _database.OpenReader())
        {
            found = Lookup(connection, owner, query.Path);
        }

        if (found is not { } result)
        {
            throw NotFound(query.Path);
        }

        if (result.Directory is not { } directory)
        {
            if (term is null || Matches(result.Entry.Name, null, term))
            {
                yield return result.Entry;
            }

            yield break;
        }

        var relative = RelativePath(query.Path);
        var entries = term is null && !query.Recursive
            ? ChildrenAsync(owner, relative, directory.Id, cancellationToken)
            : SubtreeAsync(owner, relative, directory.Id, term, cancellationToken);
        await foreach (var entry in entries)
        {
            yield return entry;
        }
    }

    private async IAsyncEnumerable<RemoteEntry> ChildrenAsync(
        ShareRecord share, string relative, long directoryId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var parent = ShareText(share, relative);
        var after = string.Empty;
        while (true)
        {
            List<ChildRow> rows;
            using (var connection = _database.OpenReader())
            {
                rows = await IndexQueries.ChildrenAsync(connection, directoryId, after, ChunkSize, cancellationToken);
            }

            foreach (var row in rows)
            {
                if (SharePath.TryParse(parent + "/" + row.Name, out var path))
                {
                    yield return new RemoteEntry(path, row.Size, row.IsDirectory, row.ModifiedUnixMs);
                }
            }

            if (rows.Count < ChunkSize)
            {
                yield break;
            }

            after = rows[^1].Name;
        }
    }

    /// <summary>Everything below a directory (not the directory itself): its own files, then every
    /// directory below it in path order, each followed by its files.</summary>
    private async IAsyncEnumerable<RemoteEntry> SubtreeAsync(
        ShareRecord share, string relative, long directoryId, string? term, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var entry in FilesAsync(share, relative, directoryId, string.Empty, term, cancellationToken))
        {
            yield return entry;
        }

        var cursor = relative.Length == 0 ? string.Empty : relative + "/";
        var high = relative.Length == 0 ? null : relative + "0";
        while (true)
        {
            List<SubtreeRow> rows;
            using (var connection = _database.OpenReader())
            {
                rows = await IndexQueries.SubtreeAsync(connection, share.Id, cursor, high, term, ChunkSize, cancellationToken);
            }

            string? current = null;
            string currentText = string.Empty;
            foreach (var row in rows)
            {
                if (!string.Equals(row.Path, current, StringComparison.Ordinal))
                {
                    current = row.Path;
                    currentText = ShareText(share, row.Path);
                    if ((term is null || Matches(row.DirectoryName, row.DirectoryFold, term)) && SharePath.TryParse(currentText, out var path))
                    {
                        yield return new RemoteEntry(path, row.DirectorySize, IsDirectory: true, row.DirectoryModifiedUnixMs);
                    }
                }

                if (row.File is { } file && (term is null || Matches(file.Name, file.Fold, term)) && SharePath.TryParse(currentText + "/" + file.Name, out var filePath))
                {
                    yield return new RemoteEntry(filePath, file.Size, IsDirectory: false, file.ModifiedUnixMs);
                }
            }

            if (rows.Count < ChunkSize)
            {
                yield break;
            }

            // The chunk may have stopped inside the last directory's files: finish them, then go on
            // with the directories after it.
            var last = rows[^1];
            if (last.File is { } lastFile)
            {
                await foreach (var entry in FilesAsync(share, last.Path, last.DirectoryId, lastFile.Name, term, cancellationToken))
                {
                    yield return entry;
                }
            }

            cursor = last.Path;
        }
    }

    private async IAsyncEnumerable<RemoteEntry> FilesAsync(
        ShareRecord share, string relative, long directoryId, string after, string? term, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var parent = ShareText(share, relative);
        while (true)
        {
            List<FileRow> rows;
            using (var connection = _database.OpenReader())
            {
                rows = await IndexQueries.FilesAsync(connection, directoryId, after, term, ChunkSize, cancellationToken);
            }

            foreach (var row in rows)
            {
                if (SharePath.TryParse(parent + "/" + row.Name, out var path))
                {
                    yield return new RemoteEntry(path, row.Size, IsDirectory: false, row.ModifiedUnixMs);
                }
            }

            if (rows.Count < ChunkSize)
            {
                yield break;
            }

            after = rows[^1].Name;
        }
    }

    private readonly record struct LookupResult(RemoteEntry Entry, DirectoryRow? Directory);

    /// <summary>Finds <paramref name="path"/> (inside <paramref name="share"/>) in the index: a
    /// readable directory, or a file in one. Unreadable directories are hidden (null), except a share
    /// root, which lists as an empty directory while its share is unavailable.</summary>
    private static LookupResult? Lookup(Microsoft.Data.Sqlite.SqliteConnection connection, ShareRecord share, SharePath path)
    {
        var relative = RelativePath(path);
        if (IndexQueries.FindDirectory(connection, share.Id, relative) is { } directory)
        {
            if (!directory.Readable && relative.Length > 0)
            {
                return null;
            }

            var entry = relative.Length == 0
                ? ShareEntry(share, directory)
                : new RemoteEntry(path, directory.Size, IsDirectory: true, directory.ModifiedUnixMs);
            return new LookupResult(entry, directory);
        }

        var slash = relative.LastIndexOf('/');
        var parent = slash < 0 ? string.Empty : relative[..slash];
        var name = relative[(slash + 1)..];
        return IndexQueries.FindFile(connection, share.Id, parent, name) is { } file
            ? new LookupResult(new RemoteEntry(path, file.Size, IsDirectory: false, file.ModifiedUnixMs), null)
            : null;
    }

    private static RemoteEntry ShareEntry(ShareRecord share, DirectoryRow root)
        => new(SharePath.Parse(share.Name), root.Readable ? root.Size : 0, IsDirectory: true, root.ModifiedUnixMs);

    /// <summary>The path below the share root: "Music/a/b" → "a/b", "Music" → "".</summary>
    private static string RelativePath(SharePath path)
    {
        var value = path.Value;
        var slash = value.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? string.Empty : value[(slash + 1)..];
    }

    private static string ShareText(ShareRecord share, string relative)
        => relative.Length == 0 ? share.Name : share.Name + "/" + relative;

    /// <summary>The lower-cased search term, or null for "no search" (null or empty).</summary>
    private static string? SearchTerm(string? search)
    {
        if (string.IsNullOrEmpty(search))
        {
            return null;
        }

        if (Encoding.UTF8.GetByteCount(search) > LsQuery.MaxSearchBytes)
        {
            throw new RemoteShareException(RemoteError.TooLarge, $"Search terms are at most {LsQuery.MaxSearchBytes} bytes.");
        }

        return search.ToLowerInvariant();
    }

    /// <summary>Case-insensitive substring match; <paramref name="fold"/> is the stored lower-cased
    /// name (null when the name is already lower-case, or not stored).</summary>
    private static bool Matches(string name, string? fold, string term)
        => (fold ?? name.ToLowerInvariant()).Contains(term, StringComparison.Ordinal);

    private static RemoteShareException NotFound(SharePath path)
        => new(RemoteError.NotFound, $"'{path}' is not in the shares.");
}

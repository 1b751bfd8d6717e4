using HddFs.Shares.Interop;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using SQLitePCL;

namespace HddFs.Shares;

/// <summary>
/// Every write to the index: shares, and applying directory listings as diffs against what is
/// stored. Owns the writer connection's prepared statements. Not thread-safe: used only by the one
/// scan (or share change) holding ShareIndex's scan lock. Writes are batched in transactions of about
/// <see cref="RowsPerTransaction"/> rows; a scan's final commit also carries its cumulative sizes.
/// </summary>
internal sealed class IndexWriter : IDisposable
{
    private const int RowsPerTransaction = 20_000;

    /// <summary>Files inserted per statement: one multi-row INSERT costs about half the CPU of as
    /// many single-row ones (measured), and directories of up to this many files take one step.</summary>
    private const int FilesPerInsert = 64;

    private readonly sqlite3 _db;
    private readonly ILogger _logger;
    private readonly Statement _updateFile;
    private readonly Statement _deleteFile;
    private readonly Statement _selectFiles;
    private readonly Statement _deleteFilesOfDirectory;
    private readonly Statement _insertDirectory;
    private readonly Statement _updateDirectory;
    private readonly Statement _selectSubdirectories;
    private readonly Statement _selectSubtreeIds;
    private readonly Statement _selectAllBelowRoot;
    private readonly Statement _deleteSubtree;
    private readonly Statement _deleteAllBelowRoot;
    private readonly Statement _deleteDirectory;
    private readonly Statement _selectShareSizes;
    private readonly Statement _updateSize;
    private readonly Statement _selectReadable;
    private readonly List<Statement> _all = [];

    /// <summary>Multi-row file inserts by row count (1…<see cref="FilesPerInsert"/>), prepared on first use.</summary>
    private readonly Statement?[] _insertFiles = new Statement?[FilesPerInsert + 1];

    /// <summary>Directory ids deleted during the current scan: listings for them (and for new
    /// directories found under them) arrive later from the walkers and must be dropped.</summary>
    private readonly HashSet<long> _dead = [];
    private bool _inTransaction;
    private int _pendingRows;

    public IndexWriter(IndexDatabase database, ILogger logger)
    {
        _db = database.Writer.Handle ?? throw new InvalidOperationException("The writer connection is not open.");
        _logger = logger;
        _updateFile = Prepare("UPDATE files SET size = ?3, mtime_ms = ?4 WHERE dir_id = ?1 AND name = ?2");
        _deleteFile = Prepare("DELETE FROM files WHERE dir_id = ?1 AND name = ?2");
        _selectFiles = Prepare("SELECT name, size, mtime_ms FROM files WHERE dir_id = ?1");
        _deleteFilesOfDirectory = Prepare("DELETE FROM files WHERE dir_id = ?1");
        _insertDirectory = Prepare("""
            INSERT INTO dirs(id, share_id, parent_id, name, fold, path, change_ns, mtime_ms, files_size, size, readable)
            VALUES(?1, ?2, ?3, ?4, ?5, ?6, 0, 0, 0, 0, 1)
            """);
        _updateDirectory = Prepare("UPDATE dirs SET change_ns = ?2, mtime_ms = ?3, files_size = ?4, readable = ?5 WHERE id = ?1");
        _selectSubdirectories = Prepare("SELECT id, name FROM dirs WHERE parent_id = ?1");
        _selectSubtreeIds = Prepare("SELECT id FROM dirs WHERE share_id = ?1 AND path > ?2 AND path < ?3");
        _selectAllBelowRoot = Prepare("SELECT id FROM dirs WHERE share_id = ?1 AND path > ''");
        _deleteSubtree = Prepare("DELETE FROM dirs WHERE share_id = ?1 AND path > ?2 AND path < ?3");
        _deleteAllBelowRoot = Prepare("DELETE FROM dirs WHERE share_id = ?1 AND path > ''");
        _deleteDirectory = Prepare("DELETE FROM dirs WHERE id = ?1");
        _selectShareSizes = Prepare("SELECT id, parent_id, files_size, size, readable FROM dirs WHERE share_id = ?1 ORDER BY length(path) DESC");
        _updateSize = Prepare("UPDATE dirs SET size = ?2 WHERE id = ?1");
        _selectReadable = Prepare("SELECT readable FROM dirs WHERE id = ?1");
    }

    // ---- transactions -------------------------------------------------------------------------

    public void Begin()
    {
        if (!_inTransaction)
        {
            Exec("BEGIN IMMEDIATE");
            _inTransaction = true;
            _pendingRows = 0;
        }
    }

    public void Commit()
    {
        if (_inTransaction)
        {
            Exec("COMMIT");
            _inTransaction = false;
        }
    }

    public void Rollback()
    {
        if (_inTransaction)
        {
            _inTransaction = false;
            Exec("ROLLBACK");
        }
    }

    /// <summary>Starts a scan: forgets the previous scan's deleted ids.</summary>
    public void BeginScan()
    {
        _dead.Clear();
        Begin();
    }

    // ---- shares -------------------------------------------------------------------------------

    public List<ShareRecord> LoadShares()
    {
        using var select = new Statement(_db, """
            SELECT s.id, s.name, s.root, d.id FROM shares s
            JOIN dirs d ON d.share_id = s.id AND d.parent_id IS NULL
            ORDER BY s.name
            """);
        var shares = new List<ShareRecord>();
        while (select.Read())
        {
            shares.Add(new ShareRecord(select.Int64(0), select.Text(1), select.Text(2), select.Int64(3)));
        }

        return shares;
    }

    /// <summary>Inserts a share and its (not yet read) root directory, in its own transaction.</summary>
    public ShareRecord InsertShare(string name, string root, long addedUnixMs)
    {
        Begin();
        try
        {
            using var insert = new Statement(_db, "INSERT INTO shares(name, root, added_ms) VALUES(?1, ?2, ?3)");
            insert.Bind(1, name).Bind(2, root).Bind(3, addedUnixMs).Execute();
            var shareId = raw.sqlite3_last_insert_rowid(_db);
            var rootId = MaxDirectoryId() + 1;
            _insertDirectory.Bind(1, rootId).Bind(2, shareId).Bind(3, null).Bind(4, string.Empty).Bind(5, null).Bind(6, string.Empty).Execute();
            Commit();
            return new ShareRecord(shareId, name, root, rootId);
        }
        catch
        {
            Rollback();
            throw;
        }
    }

    public void DeleteShare(long shareId)
    {
        Begin();
        try
        {
            using var files = new Statement(_db, "DELETE FROM files WHERE dir_id IN (SELECT id FROM dirs WHERE share_id = ?1)");
            files.Bind(1, shareId).Execute();
            using var dirs = new Statement(_db, "DELETE FROM dirs WHERE share_id = ?1");
            dirs.Bind(1, shareId).Execute();
            using var share = new Statement(_db, "DELETE FROM shares WHERE id = ?1");
            share.Bind(1, shareId).Execute();
            Commit();
        }
        catch
        {
            Rollback();
            throw;
        }
    }

    public long MaxDirectoryId()
    {
        using var select = new Statement(_db, "SELECT coalesce(max(id), 0) FROM dirs");
        var max = select.Read() ? select.Int64(0) : 0;
        select.Reset();
        return max;
    }

    /// <summary>Every directory of a share (relative path → id and stored ctime), the root included.</summary>
    public Dictionary<string, KnownDirectory> LoadKnown(long shareId)
    {
        using var select = new Statement(_db, "SELECT path, id, change_ns FROM dirs WHERE share_id = ?1");
        select.Bind(1, shareId);
        var known = new Dictionary<string, KnownDirectory>(StringComparer.Ordinal);
        while (select.Read())
        {
            known[select.Text(0)] = new KnownDirectory(select.Int64(1), select.Int64(2));
        }

        return known;
    }

    // ---- listings -----------------------------------------------------------------------------

    /// <summary>Writes one directory listing as a diff against the index, recording changed paths.</summary>
    public void Apply(DirectoryListing listing, ChangeSet changes)
    {
        var work = listing.Work;
        if (listing.Unchanged)
        {
            return;
        }

        if (_dead.Contains(work.Id))
        {
            foreach (var directory in listing.Directories)
            {
                _dead.Add(directory.Id);
            }

            return;
        }

        Begin();
        if (listing.Errno != 0)
        {
            ApplyFailure(listing, changes);
        }
        else if (work.IsNew)
        {
            ApplyNew(listing);
        }
        else
        {
            ApplyDiff(listing, changes);
        }

        if (_pendingRows >= RowsPerTransaction)
        {
            Commit();
            Begin();
        }
    }

    private void ApplyNew(DirectoryListing listing)
    {
        var work = listing.Work;
        long filesSize = 0;
        foreach (var directory in listing.Directories)
        {
            InsertDirectory(work, directory);
        }

        foreach (var file in listing.Files)
        {
            filesSize += file.Size;
        }

        InsertFiles(work.Id, listing.Files);
        _pendingRows += listing.Directories.Count + 1;
        UpdateDirectory(work.Id, listing.ChangeNs, listing.ModifiedUnixMs, filesSize, readable: true);
    }

    private void ApplyDiff(DirectoryListing listing, ChangeSet changes)
    {
        var work = listing.Work;
        var shareName = work.Share.Share.Name;

        var storedFiles = new Dictionary<string, (long Size, long ModifiedUnixMs)>(StringComparer.Ordinal);
        _selectFiles.Bind(1, work.Id);
        while (_selectFiles.Read())
        {
            storedFiles[_selectFiles.Text(0)] = (_selectFiles.Int64(1), _selectFiles.Int64(2));
        }

        var storedDirectories = new Dictionary<string, long>(StringComparer.Ordinal);
        _selectSubdirectories.Bind(1, work.Id);
        while (_selectSubdirectories.Read())
        {
            storedDirectories[_selectSubdirectories.Text(1)] = _selectSubdirectories.Int64(0);
        }

        // Removals first: a name that changed from file to directory (or back) is deleted, then added.
        var seenFiles = new HashSet<string>(listing.Files.Count, StringComparer.Ordinal);
        foreach (var file in listing.Files)
        {
            seenFiles.Add(file.Name);
        }

        var seenDirectories = new HashSet<string>(listing.Directories.Count, StringComparer.Ordinal);
        foreach (var directory in listing.Directories)
        {
            seenDirectories.Add(directory.Name);
        }

        foreach (var (name, _) in storedFiles)
        {
            if (!seenFiles.Contains(name))
            {
                _deleteFile.Bind(1, work.Id).Bind(2, name).Execute();
                changes.Add(shareName, work.ChildPath(name));
                _pendingRows++;
            }
        }

        foreach (var (name, id) in storedDirectories)
        {
            if (!seenDirectories.Contains(name))
            {
                DeleteSubtree(work.Share, work.ChildPath(name), id, includeSelf: true);
                changes.Add(shareName, work.ChildPath(name));
            }
        }

        long filesSize = 0;
        var added = new List<ScannedFile>();
        foreach (var file in listing.Files)
        {
            filesSize += file.Size;
            if (storedFiles.TryGetValue(file.Name, out var stored))
            {
                if (stored != (file.Size, file.ModifiedUnixMs))
                {
                    _updateFile.Bind(1, work.Id).Bind(2, file.Name).Bind(3, file.Size).Bind(4, file.ModifiedUnixMs).Execute();
                    changes.Add(shareName, work.ChildPath(file.Name));
                    _pendingRows++;
                }
            }
            else
            {
                added.Add(file);
                changes.Add(shareName, work.ChildPath(file.Name));
            }
        }

        InsertFiles(work.Id, added);

        foreach (var directory in listing.Directories)
        {
            if (!storedDirectories.ContainsKey(directory.Name))
            {
                InsertDirectory(work, directory);
                changes.Add(shareName, work.ChildPath(directory.Name));
            }
        }

        UpdateDirectory(work.Id, listing.ChangeNs, listing.ModifiedUnixMs, filesSize, readable: true);
    }

    /// <summary>A directory that vanished is removed with everything under it; one that cannot be read
    /// (or a share root that is unavailable) stays as a hidden row with nothing under it, keeping its
    /// ctime so that a quick scan retries only when it changes (e.g. after a chmod).</summary>
    private void ApplyFailure(DirectoryListing listing, ChangeSet changes)
    {
        var work = listing.Work;
        var shareName = work.Share.Share.Name;
        var gone = listing.Errno is Libc.ENoEnt or Libc.ENotDir;
        if (gone && work.RelativePath.Length > 0)
        {
            Log.DirectoryVanished(_logger, work.FullPath);
            DeleteSubtree(work.Share, work.RelativePath, work.Id, includeSelf: true);
            changes.Add(shareName, work.RelativePath);
            return;
        }

        // Warn when a directory becomes unreadable, not at every scan while it stays so.
        var wasReadable = IsReadable(work.Id);
        if (!wasReadable)
        {
            Log.StillUnreadable(_logger, work.FullPath, listing.Errno);
        }
        else if (work.RelativePath.Length == 0)
        {
            Log.ShareUnavailable(_logger, shareName, work.FullPath, Errno.Describe(listing.Errno));
        }
        else
        {
            Log.DirectoryUnreadable(_logger, work.FullPath, Errno.Describe(listing.Errno));
        }

        DeleteSubtree(work.Share, work.RelativePath, work.Id, includeSelf: false);
        UpdateDirectory(work.Id, listing.ChangeNs, listing.ModifiedUnixMs, filesSize: 0, readable: false);
        if (wasReadable)
        {
            changes.Add(shareName, work.RelativePath);
        }
    }

    /// <summary>Whether the directory row exists and is readable (for share roots: available).</summary>
    public bool IsReadable(long directoryId)
    {
        _selectReadable.Bind(1, directoryId);
        var readable = _selectReadable.Read() && _selectReadable.Int64(0) != 0;
        _selectReadable.Reset();
        return readable;
    }

    /// <summary>Inserts files of one directory, up to <see cref="FilesPerInsert"/> per statement.</summary>
    private void InsertFiles(long directoryId, List<ScannedFile> files)
    {
        for (var start = 0; start < files.Count; start += FilesPerInsert)
        {
            var count = Math.Min(FilesPerInsert, files.Count - start);
            var insert = _insertFiles[count] ??= Prepare(MultiRowInsert(count));
            insert.Bind(1, directoryId);
            for (var i = 0; i < count; i++)
            {
                var file = files[start + i];
                var first = 2 + (i * 4);
                insert.Bind(first, file.Name).Bind(first + 1, IndexSchema.Fold(file.Name)).Bind(first + 2, file.Size).Bind(first + 3, file.ModifiedUnixMs);
            }

            insert.Execute();
        }

        _pendingRows += files.Count;
    }

    /// <summary>"INSERT INTO files … VALUES (?1, ?2, ?3, ?4, ?5), (?1, ?6, …)…" for <paramref name="rows"/> rows.</summary>
    private static string MultiRowInsert(int rows)
        => "INSERT INTO files(dir_id, name, fold, size, mtime_ms) VALUES "
            + string.Join(", ", Enumerable.Range(0, rows).Select(i => FormattableString.Invariant($"(?1, ?{2 + (i * 4)}, ?{3 + (i * 4)}, ?{4 + (i * 4)}, ?{5 + (i * 4)})")));

    private void InsertDirectory(DirectoryWork parent, ScannedDirectory directory)
    {
        _insertDirectory
            .Bind(1, directory.Id)
            .Bind(2, parent.Share.Share.Id)
            .Bind(3, parent.Id)
            .Bind(4, directory.Name)
            .Bind(5, IndexSchema.Fold(directory.Name))
            .Bind(6, parent.ChildPath(directory.Name))
            .Execute();
        _pendingRows++;
    }

    private void UpdateDirectory(long id, long changeNs, long modifiedUnixMs, long filesSize, bool readable)
        => _updateDirectory.Bind(1, id).Bind(2, changeNs).Bind(3, modifiedUnixMs).Bind(4, filesSize).Bind(5, readable ? 1 : 0).Execute();

    /// <summary>Deletes the directories strictly below <paramref name="relativePath"/> (by whole
    /// components: the range ["path/", "path0")), their files, the directory's own files, and with
    /// <paramref name="includeSelf"/> its row. Every deleted id is remembered as dead for this scan.</summary>
    private void DeleteSubtree(ShareScan share, string relativePath, long id, bool includeSelf)
    {
        var shareId = share.Share.Id;
        var isRoot = relativePath.Length == 0;
        var select = isRoot ? _selectAllBelowRoot.Bind(1, shareId) : _selectSubtreeIds.Bind(1, shareId).Bind(2, relativePath + "/").Bind(3, relativePath + "0");
        var ids = new List<long>();
        while (select.Read())
        {
            ids.Add(select.Int64(0));
        }

        foreach (var below in ids)
        {
            _pendingRows += _deleteFilesOfDirectory.Bind(1, below).Execute();
            _dead.Add(below);
        }

        var delete = isRoot ? _deleteAllBelowRoot.Bind(1, shareId) : _deleteSubtree.Bind(1, shareId).Bind(2, relativePath + "/").Bind(3, relativePath + "0");
        _pendingRows += delete.Execute();
        _pendingRows += _deleteFilesOfDirectory.Bind(1, id).Execute();
        if (includeSelf)
        {
            _pendingRows += _deleteDirectory.Bind(1, id).Execute();
            _dead.Add(id);
        }
    }

    // ---- cumulative sizes ---------------------------------------------------------------------

    /// <summary>Recomputes every directory's cumulative size in one share (children are visited
    /// before parents: a child's path is always longer) and rewrites the ones that changed.</summary>
    public void RecomputeSizes(long shareId)
    {
        Begin();
        var rows = new List<(long Id, long Parent, long FilesSize, long Size, bool Readable)>();
        _selectShareSizes.Bind(1, shareId);
        while (_selectShareSizes.Read())
        {
            rows.Add((_selectShareSizes.Int64(0), _selectShareSizes.IsNull(1) ? 0 : _selectShareSizes.Int64(1),
                _selectShareSizes.Int64(2), _selectShareSizes.Int64(3), _selectShareSizes.Int64(4) != 0));
        }

        var below = new Dictionary<long, long>(rows.Count);
        foreach (var (id, parent, filesSize, size, readable) in rows)
        {
            var total = readable ? filesSize + below.GetValueOrDefault(id) : 0;
            if (parent != 0)
            {
                below[parent] = below.GetValueOrDefault(parent) + total;
            }

            if (total != size)
            {
                _updateSize.Bind(1, id).Bind(2, total).Execute();
            }
        }
    }

    public void Dispose()
    {
        Rollback();
        foreach (var statement in _all)
        {
            statement.Dispose();
        }
    }

    private Statement Prepare(string sql)
    {
        var statement = new Statement(_db, sql);
        _all.Add(statement);
        return statement;
    }

    private void Exec(string sql)
    {
        var rc = raw.sqlite3_exec(_db, sql);
        if (rc != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(rc, _db);
        }
    }
}

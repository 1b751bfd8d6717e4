using System.Diagnostics;
using System.Threading.Channels;
using HddFs.Core;
using HddFs.Shares.Interop;
using Microsoft.Extensions.Logging;

namespace HddFs.Shares;

/// <summary>
/// The index of our own shared directories, in SQLite: which directories are shared (persisted,
/// with stable unique names), what is in them (path, size, mtime, cumulative directory sizes; no
/// hashing), kept current by a watcher and periodic rescans, and served safely to peers through
/// <see cref="ILocalShares"/> (nothing outside a share is ever listed or opened).
/// <para>
/// Concurrency: queries run lock-free on a snapshot of the shares and pooled read connections (WAL);
/// every write (adding or removing a share, every scan) holds <c>_scanLock</c>, so scans never
/// overlap and the writer connection has one user. Lock order: <c>_scanLock</c> (async) before
/// <c>_dirtyLock</c> (short, never held across an await). <see cref="Changed"/> is raised after the
/// lock is released, on the thread that ran the scan.
/// </para>
/// </summary>
public sealed partial class ShareIndex : ILocalShares, IAsyncDisposable
{
    // Immutable after OpenAsync.
    private readonly IndexDatabase _database;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ShareIndexOptions _options;
    private readonly CancellationTokenSource _disposing = new();

    // Guarded by _scanLock.
    private readonly SemaphoreSlim _scanLock = new(1, 1);
    private readonly IndexWriter _writer;
    private readonly Dictionary<long, ShareWatcher> _watchers = [];
    private readonly HashSet<long> _watchersFailed = [];

    // Replaced (not mutated) under _scanLock; read anywhere.
    private volatile ShareSet _shares = ShareSet.Empty;

    // Guarded by _dirtyLock: directories named by watcher events, per share id, and shares whose
    // watcher overflowed (they get a deep scan).
    private readonly Lock _dirtyLock = new();
    private Dictionary<long, HashSet<string>?> _dirty = [];
    private HashSet<long> _deepRequested = [];

    // Counts watcher events (debounce); the wake channel holds at most one pending signal.
    private long _eventSequence;
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private Task _background = Task.CompletedTask;
    private int _disposed;

    private ShareIndex(IndexDatabase database, ILogger logger, TimeProvider time, ShareIndexOptions options)
    {
        _database = database;
        _logger = logger;
        _time = time;
        _options = options;
        _writer = new IndexWriter(database, logger);
    }

    /// <summary>Raised after a scan or a share change altered the index (see
    /// <see cref="SharesChangedEventArgs"/> for what is listed). Handlers must not block for long;
    /// an exception from a handler is logged and ignored.</summary>
    public event EventHandler<SharesChangedEventArgs>? Changed;

    /// <summary>Share name → real path of its root, for every configured share.</summary>
    public IReadOnlyDictionary<string, string> Shares => _shares.Roots;

    /// <summary>What the check at open did: every known directory stat'ed, only changed ones read.</summary>
    public ScanResult StartupScan { get; private set; }

    /// <summary>
    /// Opens (creating if needed) the index at <paramref name="databasePath"/>, then brings it up to
    /// date cheaply: every known directory is stat'ed and only those whose ctime changed since they
    /// were last read are read again (files modified in place while hddfs was not running are found
    /// by the first deep rescan, see <see cref="ShareIndexOptions.DeepRescanInterval"/>). Starts the
    /// watchers and the periodic rescans.
    /// </summary>
    public static async Task<ShareIndex> OpenAsync(
        string databasePath,
        ILoggerFactory loggerFactory,
        TimeProvider timeProvider,
        ShareIndexOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        ArgumentNullException.ThrowIfNull(timeProvider);
        options ??= new ShareIndexOptions();
        options.Validate();

        var stopwatch = Stopwatch.StartNew();
        var database = IndexDatabase.Open(databasePath);
        var index = new ShareIndex(database, loggerFactory.CreateLogger<ShareIndex>(), timeProvider, options);
        try
        {
            index._shares = new ShareSet(index._writer.LoadShares());
            await index._scanLock.WaitAsync(cancellationToken);
            try
            {
                var shares = index._shares.Ordered.Select(s => (s, ScanMode.Quick, (IReadOnlyCollection<string>?)null)).ToList();
                var (result, _) = await index.ScanLockedAsync(shares, "startup", cancellationToken);
                index.StartupScan = result;
                index.SyncWatchersLocked(index._shares.Ordered);
            }
            finally
            {
                index._scanLock.Release();
            }

            index._background = Task.Run(() => index.BackgroundAsync(index._disposing.Token), CancellationToken.None);
            Log.Opened(index._logger, database.Path, index._shares.Ordered.Count, stopwatch.Elapsed.TotalMilliseconds);
            return index;
        }
        catch
        {
            await index.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Shares <paramref name="directory"/> and indexes it completely before returning its name: the
    /// directory's base name, made unique ("Music", "Music-2"; case-insensitively). Sharing a
    /// directory that is already shared (same real path) returns its existing name. The name is
    /// persisted with the share, so it is stable across restarts.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">It does not exist or is not a directory.</exception>
    /// <exception cref="UnauthorizedAccessException">It cannot be reached or read.</exception>
    public async Task<string> AddShareAsync(string directory, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        var root = ResolveShareRoot(directory, full);
        var baseName = Path.GetFileName(full);
        if (!SharePath.IsValidComponent(baseName, out _))
        {
            baseName = full == "/" ? "root" : "share";
        }

        var stopwatch = Stopwatch.StartNew();
        ShareRecord share;
        int directories;
        await _scanLock.WaitAsync(cancellationToken);
        try
        {
            if (_shares.ByRoot(root) is { } existing)
            {
                return existing.Name;
            }

            share = _writer.InsertShare(_shares.UniqueName(baseName), root, _time.GetUtcNow().ToUnixTimeMilliseconds());
            try
            {
                var (result, _) = await ScanLockedAsync([(share, ScanMode.Deep, null)], "add", cancellationToken, isNewShare: true);
                directories = result.DirectoriesListed;
            }
            catch
            {
                _writer.DeleteShare(share.Id);
                throw;
            }

            _shares = _shares.With(share);
            SyncWatchersLocked([share]);
        }
        finally
        {
            _scanLock.Release();
        }

        Log.ShareAdded(_logger, share.Name, share.Root, directories, stopwatch.Elapsed.TotalMilliseconds);
        RaiseChanged([SharePath.Parse(share.Name)]);
        return share.Name;
    }

    /// <summary>Stops sharing the share named <paramref name="name"/> (exact name) and drops its
    /// entries. Returns false when there is no such share.</summary>
    public async Task<bool> RemoveShareAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        ShareRecord? share;
        await _scanLock.WaitAsync(cancellationToken);
        try
        {
            if (!_shares.ByName.TryGetValue(name, out share))
            {
                return false;
            }

            if (_watchers.Remove(share.Id, out var watcher))
            {
                watcher.Dispose();
            }

            _watchersFailed.Remove(share.Id);

            _writer.DeleteShare(share.Id);
            _database.RequestCheckpoint();
            _shares = _shares.Without(share);
            lock (_dirtyLock)
            {
                _dirty.Remove(share.Id);
                _deepRequested.Remove(share.Id);
            }
        }
        finally
        {
            _scanLock.Release();
        }

        Log.ShareRemoved(_logger, share.Name, share.Root);
        RaiseChanged([SharePath.Parse(share.Name)]);
        return true;
    }

    /// <summary>
    /// Brings the index up to date now and returns when it is: applies pending watcher events at once
    /// (no debounce), then stats every known directory and reads the changed ones; with
    /// <paramref name="deep"/>, reads every directory instead (also catching files modified in place
    /// that no watcher reported).
    /// </summary>
    public async Task<ScanResult> RescanAsync(bool deep = false, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        ScanResult result;
        IReadOnlyList<SharePath> changes;
        await _scanLock.WaitAsync(cancellationToken);
        try
        {
            var (dirty, deepRequested) = TakeDirty();
            var shares = _shares.Ordered
                .Select(s => (s, deep || deepRequested.Contains(s.Id) ? ScanMode.Deep : ScanMode.Quick, (IReadOnlyCollection<string>?)dirty.GetValueOrDefault(s.Id)))
                .ToList();
            (result, changes) = await ScanLockedAsync(shares, deep ? "deep" : "quick", cancellationToken);
            SyncWatchersLocked(_shares.Ordered);
        }
        finally
        {
            _scanLock.Release();
        }

        RaiseChanged(changes);
        return result;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _disposing.CancelAsync();
        try
        {
            await _background;
        }
        catch (OperationCanceledException)
        {
        }

        await _scanLock.WaitAsync();
        try
        {
            foreach (var watcher in _watchers.Values)
            {
                watcher.Dispose();
            }

            _watchers.Clear();
            _writer.Dispose();
            _database.Dispose();
        }
        finally
        {
            _scanLock.Release();
        }

        _disposing.Dispose();
    }

    /// <summary>Runs one scan over the given shares. Caller holds <c>_scanLock</c>.</summary>
    private async Task<(ScanResult Result, IReadOnlyList<SharePath> Changes)> ScanLockedAsync(
        IReadOnlyList<(ShareRecord Share, ScanMode Mode, IReadOnlyCollection<string>? Targets)> shares,
        string kind,
        CancellationToken cancellationToken,
        bool isNewShare = false)
    {
        if (shares.Count == 0)
        {
            return (default, []);
        }

        var scans = shares
            .Select(s => new ShareScan(s.Share, _writer.LoadKnown(s.Share.Id), s.Mode, s.Targets, isNewShare))
            .ToList();
        var context = new ScanContext(_logger, _time, _options, ProcessCredentials.Current, _writer.MaxDirectoryId());
        var changes = new ChangeSet();
        var result = await Scanner.RunAsync(_writer, scans, context, changes, cancellationToken);
        if (result.DirectoriesListed > 0)
        {
            _database.RequestCheckpoint();
        }
        if (context.SuppressedWarnings > 0)
        {
            Log.MoreSkipped(_logger, context.SuppressedWarnings);
        }

        var paths = isNewShare ? [] : changes.ToPaths();
        result = result with { Changes = paths.Count };
        Log.ScanCompleted(_logger, kind, result.DirectoriesChecked, result.DirectoriesListed, result.Changes, result.EntriesSkipped, result.Elapsed.TotalMilliseconds);
        return (result, paths);
    }

    private static string ResolveShareRoot(string directory, string full)
    {
        var root = RealPaths.Resolve(full, out var errno);
        if (root is null)
        {
            throw errno switch
            {
                Libc.ENoEnt => new DirectoryNotFoundException($"Cannot share '{directory}': it does not exist."),
                Libc.ENotDir => new DirectoryNotFoundException($"Cannot share '{directory}': it is not a directory."),
                Libc.EAcces or Libc.EPerm => new UnauthorizedAccessException($"Cannot share '{directory}': permission denied."),
                0 => new ArgumentException($"Cannot share '{directory}': its real path is not valid UTF-8.", nameof(directory)),
                _ => new IOException($"Cannot share '{directory}': {Errno.Describe(errno)}."),
            };
        }

        var path = Libc.NulTerminated(root);
        if (Libc.StatxPath(Libc.AtFdCwd, ref path[0], followSymlink: false, out var stat) != 0 || !stat.IsDirectory)
        {
            throw new DirectoryNotFoundException($"Cannot share '{directory}': it is not a directory.");
        }

        return root;
    }

    private void RaiseChanged(IReadOnlyList<SharePath> paths)
    {
        if (paths.Count == 0)
        {
            return;
        }

        try
        {
            Changed?.Invoke(this, new SharesChangedEventArgs(paths));
        }
        catch (Exception ex)
        {
            Log.ChangedHandlerFailed(_logger, ex);
        }
    }
}

namespace HddFs.Shares;

/// <summary>
/// A recursive FileSystemWatcher (inotify) over one share root. It turns every event into "this
/// directory needs reading again" (the parent of the path, and the path itself in case it is a
/// directory) and hands it to the index; the index debounces and re-reads. Events arrive on
/// thread-pool threads; the callbacks must be cheap and must not throw.
/// </summary>
internal sealed class ShareWatcher : IDisposable
{
    private readonly ShareRecord _share;
    private readonly Action<long, string> _dirty;
    private readonly Action<long, string, Exception> _failed;
    private FileSystemWatcher? _watcher;

    public ShareWatcher(ShareRecord share, Action<long, string> dirty, Action<long, string, Exception> failed)
    {
        _share = share;
        _dirty = dirty;
        _failed = failed;
    }

    /// <summary>Starts watching; false when the watcher cannot be set up (root missing, inotify
    /// limits), with the exception.</summary>
    public bool TryStart(out Exception? error)
    {
        try
        {
            _watcher = new FileSystemWatcher(_share.Root)
            {
                IncludeSubdirectories = true,
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.Size
                    | NotifyFilters.LastWrite | NotifyFilters.Attributes | NotifyFilters.Security,
                InternalBufferSize = 64 * 1024,
            };
            _watcher.Created += OnChanged;
            _watcher.Deleted += OnChanged;
            _watcher.Changed += OnChanged;
            _watcher.Renamed += OnRenamed;
            _watcher.Error += OnError;
            _watcher.EnableRaisingEvents = true;
            error = null;
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or PlatformNotSupportedException)
        {
            _watcher?.Dispose();
            _watcher = null;
            error = ex;
            return false;
        }
    }

    public void Dispose()
    {
        if (_watcher is { } watcher)
        {
            watcher.EnableRaisingEvents = false;
            watcher.Dispose();
        }
    }

    private void OnChanged(object sender, FileSystemEventArgs e) => Report(e.FullPath);

    private void OnRenamed(object sender, RenamedEventArgs e)
    {
        Report(e.OldFullPath);
        Report(e.FullPath);
    }

    private void OnError(object sender, ErrorEventArgs e) => _failed(_share.Id, _share.Root, e.GetException());

    private void Report(string fullPath)
    {
        var root = _share.Root;
        string relative;
        if (string.Equals(fullPath, root, StringComparison.Ordinal))
        {
            relative = string.Empty;
        }
        else if (RealPaths.IsSameOrUnder(fullPath, root))
        {
            relative = fullPath[(root.EndsWith('/') ? root.Length : root.Length + 1)..];
        }
        else
        {
            return;
        }

        var slash = relative.LastIndexOf('/');
        _dirty(_share.Id, slash < 0 ? string.Empty : relative[..slash]);
        if (relative.Length > 0)
        {
            _dirty(_share.Id, relative);
        }
    }
}

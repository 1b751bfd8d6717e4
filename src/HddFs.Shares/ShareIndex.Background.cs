using HddFs.Core;

namespace HddFs.Shares;

/// <summary>The watchers and the background loop that applies their events and runs the periodic
/// rescans.</summary>
public sealed partial class ShareIndex
{
    /// <summary>
    /// Makes the watchers match the shares' state after a scan: a share whose root is available gets
    /// a watcher (retried after every scan until it starts; the failure is logged once), one whose
    /// root is unavailable loses it (a root that comes back may be a new directory, which an old
    /// inotify watch would not see). Caller holds <c>_scanLock</c>.
    /// </summary>
    private void SyncWatchersLocked(IEnumerable<ShareRecord> shares)
    {
        if (!_options.WatchForChanges)
        {
            return;
        }

        foreach (var share in shares)
        {
            var available = _writer.IsReadable(share.RootDirectoryId);
            if (!available)
            {
                if (_watchers.Remove(share.Id, out var stale))
                {
                    stale.Dispose();
                }

                continue;
            }

            if (_watchers.ContainsKey(share.Id))
            {
                continue;
            }

            var watcher = new ShareWatcher(share, MarkDirty, WatcherFailed);
            if (watcher.TryStart(out var error))
            {
                _watchers[share.Id] = watcher;
                _watchersFailed.Remove(share.Id);
            }
            else
            {
                watcher.Dispose();
                if (_watchersFailed.Add(share.Id))
                {
                    Log.WatcherFailed(_logger, share.Root, error!);
                }
            }
        }
    }

    /// <summary>Called on watcher threads: remember the directory and wake the loop.</summary>
    private void MarkDirty(long shareId, string relativeDirectory)
    {
        lock (_dirtyLock)
        {
            if (!_dirty.TryGetValue(shareId, out var set))
            {
                _dirty[shareId] = set = new HashSet<string>(StringComparer.Ordinal);
            }

            // Bounded: past this many distinct directories (null) a quick scan of the share is as
            // good and cheaper than remembering them all.
            if (set is not null)
            {
                if (set.Count < ChangeSet.MaxPerShare)
                {
                    set.Add(relativeDirectory);
                }
                else
                {
                    _dirty[shareId] = null;
                }
            }
        }

        Interlocked.Increment(ref _eventSequence);
        _wake.Writer.TryWrite(true);
    }

    /// <summary>Called on a watcher thread when inotify overflowed or failed: events were lost.</summary>
    private void WatcherFailed(long shareId, string root, Exception exception)
    {
        Log.WatcherFailed(_logger, root, exception);
        lock (_dirtyLock)
        {
            _deepRequested.Add(shareId);
        }

        Interlocked.Increment(ref _eventSequence);
        _wake.Writer.TryWrite(true);
    }

    private (Dictionary<long, HashSet<string>?> Dirty, HashSet<long> Deep) TakeDirty()
    {
        lock (_dirtyLock)
        {
            var taken = (_dirty, _deepRequested);
            _dirty = [];
            _deepRequested = [];
            return taken;
        }
    }

    private async Task BackgroundAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var nextQuick = Due(now, _options.RescanInterval);
        var nextDeep = Due(now, _options.DeepRescanInterval);
        Task<bool>? wake = null;
        while (!cancellationToken.IsCancellationRequested)
        {
            wake ??= _wake.Reader.WaitToReadAsync(cancellationToken).AsTask();
            var due = nextQuick < nextDeep ? nextQuick : nextDeep;
            if (due == DateTimeOffset.MaxValue)
            {
                await wake;
            }
            else
            {
                // Capped so a very long interval never exceeds what a timer accepts.
                var delay = TimeSpan.FromTicks(Math.Min((due - _time.GetUtcNow()).Ticks, TimeSpan.FromDays(1).Ticks));
                if (delay > TimeSpan.Zero)
                {
                    using var stopDelay = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    var timer = Task.Delay(delay, _time, stopDelay.Token);
                    await Task.WhenAny(wake, timer);
                    await stopDelay.CancelAsync();
                }
            }

            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                if (wake.IsCompleted)
                {
                    wake = null;
                    _wake.Reader.TryRead(out _);
                    await DebounceAsync(cancellationToken);
                    await RunBackgroundScanAsync(ScanMode.Targeted, cancellationToken);
                }

                now = _time.GetUtcNow();
                if (now >= nextDeep)
                {
                    await RunBackgroundScanAsync(ScanMode.Deep, cancellationToken);
                    now = _time.GetUtcNow();
                    nextDeep = Due(now, _options.DeepRescanInterval);
                    nextQuick = Due(now, _options.RescanInterval);
                }
                else if (now >= nextQuick)
                {
                    await RunBackgroundScanAsync(ScanMode.Quick, cancellationToken);
                    nextQuick = Due(_time.GetUtcNow(), _options.RescanInterval);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.BackgroundScanFailed(_logger, ex);
            }
        }
    }

    private static DateTimeOffset Due(DateTimeOffset now, TimeSpan interval)
        => interval == Timeout.InfiniteTimeSpan ? DateTimeOffset.MaxValue : now + interval;

    /// <summary>Waits until watcher events have been quiet for the debounce delay, or the maximum
    /// delay has passed since the first one.</summary>
    private async Task DebounceAsync(CancellationToken cancellationToken)
    {
        var start = _time.GetUtcNow();
        while (true)
        {
            var seen = Interlocked.Read(ref _eventSequence);
            await Task.Delay(_options.DebounceDelay, _time, cancellationToken);
            if (Interlocked.Read(ref _eventSequence) == seen || _time.GetUtcNow() - start >= _options.MaxDebounceDelay)
            {
                return;
            }
        }
    }

    /// <summary>Targeted: the directories named by watcher events (deep for shares whose watcher lost
    /// events). Quick/Deep: every share, plus pending events.</summary>
    private async Task RunBackgroundScanAsync(ScanMode mode, CancellationToken cancellationToken)
    {
        IReadOnlyList<SharePath> changes;
        await _scanLock.WaitAsync(cancellationToken);
        try
        {
            var (dirty, deepRequested) = TakeDirty();
            var shares = new List<(ShareRecord, ScanMode, IReadOnlyCollection<string>?)>();
            foreach (var share in _shares.Ordered)
            {
                if (mode == ScanMode.Deep || deepRequested.Contains(share.Id))
                {
                    shares.Add((share, ScanMode.Deep, null));
                }
                else if (mode == ScanMode.Quick || dirty.TryGetValue(share.Id, out var targets) && targets is null)
                {
                    shares.Add((share, ScanMode.Quick, dirty.GetValueOrDefault(share.Id)));
                }
                else if (dirty.TryGetValue(share.Id, out targets))
                {
                    shares.Add((share, ScanMode.Targeted, targets));
                }
            }

            (_, changes) = await ScanLockedAsync(shares, mode.ToString().ToLowerInvariant(), cancellationToken);
            SyncWatchersLocked(_shares.Ordered);
        }
        finally
        {
            _scanLock.Release();
        }

        RaiseChanged(changes);
    }
}

using System.Collections.Concurrent;
using HddFs.Core;
using Microsoft.Extensions.Logging;

namespace HddFs.Vfs;

/// <summary>
/// The mount-agnostic, read-only filesystem of the party: the root holds one directory per visible peer
/// (ourselves included), a peer's directory holds its shares, then directories and files as the peer
/// lists them. Node-id based, one method per low-level filesystem operation, no FUSE types: the daemon's
/// mount adapter translates requests and turns <see cref="VfsException.Error"/> into errno (the only
/// such table). Every method is thread-safe and may be called concurrently.
///
/// Ownership: the VFS owns its caches, handles and background fetches; the party, block store, logger
/// factory and clock belong to the caller and must outlive it.
///
/// LOCK ORDER (each lock lives in the named class; none is held while calling out of the VFS or raising
/// <see cref="Invalidated"/>):
///   _partyLock (here, serialises party-change handling)
///   → NodeTable._lock / ListingCache._lock / PeerHealth._lock (leaves);
///   OpenFile._lock, BlockMemory._lock, ResidentBlock._lock: leaves, never nested with each other; the
///   block store is called without holding any of them.
/// </summary>
public sealed partial class VirtualFileSystem : IAsyncDisposable
{
    /// <summary>Inode number of the mount root (as the kernel expects).</summary>
    public const ulong RootNode = NodeTable.RootIno;

    // immutable
    private readonly IParty _party;
    private readonly IBlockStore _cache;
    private readonly VfsOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly NodeTable _nodes;
    private readonly ListingCache _listings;
    private readonly PeerHealth _health;
    private readonly BlockMemory _memory;
    private readonly CacheWriter _writer;
    private readonly CacheLoader _loader;
    private readonly BlockFetcher _fetcher;
    private readonly BackgroundWork _background = new();
    // Cancelled on disposal, never disposed: it owns no timer, and straggling background work may
    // still link to its token.
    private readonly CancellationTokenSource _disposing = new();
    private readonly ConcurrentDictionary<ulong, DirectoryHandle> _directories = new();
    private readonly ConcurrentDictionary<ulong, OpenFile> _files = new();
    private readonly Lock _partyLock = new();
    private readonly int _blockSize;
    private readonly long _maxPrefetchWindow;

    // written under _partyLock, read lock-free (immutable snapshots)
    private volatile PartyView _view = PartyView.Empty;
    private long _viewChangedUnixMs;

    // atomics
    private long _nextHandle;
    private int _disposed;

    public VirtualFileSystem(IParty party, IBlockStore cache, VfsOptions options, ILoggerFactory loggerFactory, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(party);
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        ArgumentNullException.ThrowIfNull(time);
        options.Validate();
        if (cache.BlockSize <= 0)
        {
            throw new ArgumentException("The block store's block size must be positive.", nameof(cache));
        }

        _party = party;
        _cache = cache;
        _options = options;
        _time = time;
        _logger = loggerFactory.CreateLogger<VirtualFileSystem>();
        _blockSize = cache.BlockSize;
        _nodes = new NodeTable(new InodeNumbering());
        _listings = new ListingCache(options.MaxCachedListingEntries);
        _health = new PeerHealth(time, options.FailFastPeriod);
        _memory = new BlockMemory(options.MemoryBufferBytes, _blockSize);
        _writer = new CacheWriter(cache, _memory, _logger, _background);
        _loader = new CacheLoader(cache, _memory);
        _fetcher = new BlockFetcher(cache, _memory, _writer, _loader, options, time, _logger, _health, _background, ConnectForRead, OnRemoteFileChanged, _disposing.Token);

        // One stream may use at most half the block memory, so a single reader never evicts its own window.
        _maxPrefetchWindow = Math.Min(options.PrefetchMaxWindow, (long)_memory.Slots * _blockSize / 2);
        _viewChangedUnixMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        _party.Changed += OnPartyChanged;
        RefreshParty();
    }

    /// <summary>
    /// A node's attributes or content, or a directory entry, changed (a remote file changed, a listing
    /// gained or lost names, a peer joined or left). Raised synchronously on the thread that noticed:
    /// the handler must only queue the kernel notification (see <see cref="VfsInvalidation"/>).
    /// </summary>
    public event EventHandler<VfsInvalidation>? Invalidated;

    public VfsOptions Options => _options;

    // Diagnostics for tests.
    internal long BufferedBytes => _memory.UsedBytes;

    internal long RemoteReadRequests => _fetcher.RequestsStarted;

    internal int InFlightBlocks => _memory.PendingBlocks;

    internal long CacheWrites => _writer.Written;

    internal long MaxPrefetchWindow => _maxPrefetchWindow;

    /// <summary>Drops every block held in memory that nobody is using (the next reads go to the block
    /// cache or the peer).</summary>
    internal int DropMemory() => _memory.DropUnpinned();

    internal long MaxWindowOf(ulong handle) => _files.TryGetValue(handle, out var open) ? open.MaxWindow : -1;

    internal int NodeCount => _nodes.Count;

    /// <summary>Cancels prefetches and listings in flight and waits (briefly) for them to stop. Open
    /// handles become invalid. Idempotent.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _party.Changed -= OnPartyChanged;
        foreach (var file in _files.Values)
        {
            file.Dispose();
        }

        _files.Clear();
        _directories.Clear();
        await _disposing.CancelAsync().ConfigureAwait(false);
        _writer.Complete(); // what is queued is still written (bounded by the block memory)
        _loader.Complete();
        // Real time on purpose: a test's manual clock would never advance here.
        await _background.WaitAsync(TimeSpan.FromSeconds(5), TimeProvider.System).ConfigureAwait(false);
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

    private Node RequireNode(ulong node)
    {
        ThrowIfDisposed();
        return _nodes.TryGet(node, out var found)
            ? found
            : throw new VfsException(VfsError.NotFound, $"Unknown node {node}.");
    }

    private ulong NextHandle() => (ulong)Interlocked.Increment(ref _nextHandle);

    private void Raise(List<VfsInvalidation> invalidations)
    {
        var handler = Invalidated;
        if (handler is null)
        {
            return;
        }

        foreach (var invalidation in invalidations)
        {
            try
            {
                handler(this, invalidation);
            }
            catch (Exception ex)
            {
                _logger.InvalidationHandlerFailed(ex);
            }
        }
    }

    private void Raise(VfsInvalidation invalidation) => Raise([invalidation]);

    /// <summary>Why uncached data of <paramref name="peer"/> cannot be fetched now, or null when it can.</summary>
    private string? Unreachable(PeerId peer)
    {
        if (!_view.TryGetById(peer, out var directory))
        {
            return "the peer left the party";
        }

        if (!directory.Info.IsConnected)
        {
            return $"peer {directory.Name} is not connected";
        }

        return _health.IsFailingFast(peer) ? $"peer {directory.Name} timed out recently" : null;
    }

    // BlockFetcher's gate before every request (see its constructor).
    private IRemoteShares ConnectForRead(FetchTarget target)
    {
        if (Unreachable(target.Key.Peer) is { } reason)
        {
            throw new VfsException(VfsError.IoError, $"'{target.Key.Path}' is not cached and {reason}.");
        }

        if (target.Node.FileKey != target.Key)
        {
            throw new VfsException(VfsError.IoError, $"'{target.Key.Path}' changed since it was opened; open it again.");
        }

        return _party.GetShares(target.Key.Peer)
            ?? throw new VfsException(VfsError.IoError, $"'{target.Key.Path}' is not cached and the peer left the party.");
    }

    // A response showed the remote file differs from its listed version: re-list its directory at the
    // next access and tell the kernel to drop what it cached of the node.
    private void OnRemoteFileChanged(FetchTarget target, string reason)
    {
        _logger.FileChanged(target.Node.Key, reason);
        _listings.Expire(target.Node.Key.Parent);
        if (_nodes.TryGet(target.Node.Ino, out var live) && ReferenceEquals(live, target.Node))
        {
            Raise(new VfsInvalidation(VfsInvalidationKind.Node, target.Node.Ino, null));
        }
    }

    private void OnPartyChanged(object? sender, EventArgs e)
    {
        try
        {
            RefreshParty();
        }
        catch (Exception ex)
        {
            _logger.PartyChangeFailed(ex);
        }
    }

    private void RefreshParty()
    {
        List<VfsInvalidation> invalidations = [];
        lock (_partyLock)
        {
            if (Volatile.Read(ref _disposed) != 0)
            {
                return;
            }

            var old = _view;
            var current = PartyView.From(_party.Peers);
            _view = current;
            var membershipChanged = false;
            foreach (var gone in old.Sorted)
            {
                if (!current.TryGetByName(gone.Name, out var now) || now.Id != gone.Id)
                {
                    invalidations.Add(new VfsInvalidation(VfsInvalidationKind.Entry, RootNode, gone.Name));
                    membershipChanged = true;
                }

                if (!current.TryGetById(gone.Id, out _))
                {
                    _listings.RemovePeer(gone.Id);
                }
            }

            foreach (var added in current.Sorted)
            {
                if (!old.TryGetByName(added.Name, out var before) || before.Id != added.Id)
                {
                    invalidations.Add(new VfsInvalidation(VfsInvalidationKind.Entry, RootNode, added.Name));
                    membershipChanged = true;
                }
            }

            if (membershipChanged)
            {
                Interlocked.Exchange(ref _viewChangedUnixMs, _time.GetUtcNow().ToUnixTimeMilliseconds());
                invalidations.Add(new VfsInvalidation(VfsInvalidationKind.Node, RootNode, null));
                _logger.PartyChanged(current.Sorted.Count);
            }
        }

        Raise(invalidations);
    }
}

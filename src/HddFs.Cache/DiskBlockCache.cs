using System.Numerics;
using HddFs.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

namespace HddFs.Cache;

// LOCK ORDER: _saveLock → _lock. Nothing else is locked; no I/O is done under _lock except unlink(2)
// of evicted, invalidated or corrupt block files (which must be gone before their bytes are released).

/// <summary>
/// The on-disk block cache: one checksummed file per block (see BlockFormat), an in-memory index and
/// LRU list, and a hard cap on the bytes on disk. Thread-safe; readers and writers of the same and of
/// different files may run concurrently.
/// <para>
/// Cap invariant: <see cref="UsedBytes"/> is the sum of the charges of every block file that exists or
/// is being written (published blocks, writes in flight, files whose deletion failed), and is never
/// above <see cref="Capacity"/>. A writer reserves its charge under the lock, evicting (and unlinking)
/// the least recently used blocks first, and only then creates its file; a file's charge is released
/// only after it was unlinked. So the bytes of block files on disk never exceed the capacity, at any
/// instant. (A block being read when it is evicted stays readable through the open handle until the
/// read ends; a reader that opens it after the unlink sees a miss.)
/// </para>
/// <para>
/// Crash semantics: a block file is written under a temporary name and renamed into place when
/// complete, without fsync. After a crash a block is either complete and valid, or absent: temporary
/// files are deleted at the next open, and a published file whose data did not reach the disk fails its
/// checksum at the first read and is deleted (every read verifies every byte of the file).
/// </para>
/// </summary>
public sealed partial class DiskBlockCache : IBlockStore, IDisposable
{
    /// <summary>1 MiB: the block size of the mount and the downloader.</summary>
    public const int DefaultBlockSize = 1 << 20;

    public const int MinimumBlockSize = 64 << 10;

    public const int MaximumBlockSize = 64 << 20;

    /// <summary>The capacity must hold at least this many blocks.</summary>
    public const int MinimumCapacityBlocks = 4;

    /// <summary>How often the access order is saved when it changed (and always on dispose).</summary>
    public static readonly TimeSpan AccessOrderSaveInterval = TimeSpan.FromMinutes(1);

    private static readonly TimeSpan WriteFailureLogInterval = TimeSpan.FromSeconds(10);

    // immutable
    private readonly CacheLayout _layout;
    private readonly UnbufferedBlockWriter _unbuffered;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly SafeFileHandle _directoryLock;
    private readonly ITimer _saveTimer;
    private readonly Lock _lock = new();
    private readonly Lock _saveLock = new();

    // guarded by _lock
    private readonly Dictionary<FileKey, CachedFile> _files = [];
    private readonly Dictionary<(PeerId Peer, SharePath Path), List<CachedFile>> _versions = [];
    private readonly Dictionary<BlockId, PendingWrite> _pending = [];
    private readonly LruList _lru = new();
    private long _usedBytes; // also read without the lock (Volatile) by UsedBytes
    private bool _orderChanged;
    private bool _disposed;
    private long _writes;
    private long _writesDropped;
    private long _evictions;
    private long _corruptBlocks;
    private long? _lastWriteFailureLog;
    private long _suppressedWriteFailures;

    // guarded by _saveLock
    private bool _orderClosed;

    // lock-free (Interlocked)
    private long _hits;
    private long _misses;

    /// <summary>
    /// Opens (or creates) the cache in <paramref name="directory"/>, which it owns (one process at a
    /// time: a second opener gets an <see cref="IOException"/>). Rebuilds the index from the block files,
    /// removes leftovers of a crash and stray files, wipes a cache of another format or block size, and
    /// evicts down to <paramref name="capacity"/> when it was lowered.
    /// </summary>
    /// <param name="directory">The cache directory, e.g. &lt;data-dir&gt;/cache.</param>
    /// <param name="capacity">Hard cap on the bytes of block files on disk; at least
    /// <see cref="MinimumCapacityBlocks"/> blocks.</param>
    /// <param name="logger">Receives warnings about corrupt blocks, wipes and I/O errors.</param>
    /// <param name="timeProvider">Drives the periodic save of the access order.</param>
    /// <param name="blockSize">A power of two from <see cref="MinimumBlockSize"/> to <see cref="MaximumBlockSize"/>.</param>
    public DiskBlockCache(string directory, long capacity, ILogger logger, TimeProvider timeProvider, int blockSize = DefaultBlockSize)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(timeProvider);
        if (blockSize is < MinimumBlockSize or > MaximumBlockSize || !BitOperations.IsPow2(blockSize))
        {
            throw new ArgumentOutOfRangeException(nameof(blockSize), blockSize,
                $"The block size must be a power of two from {CacheSize.Format(MinimumBlockSize)} to {CacheSize.Format(MaximumBlockSize)}.");
        }

        if (capacity < (long)MinimumCapacityBlocks * blockSize)
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity,
                $"The capacity must hold at least {MinimumCapacityBlocks} blocks ({CacheSize.Format((long)MinimumCapacityBlocks * blockSize)}).");
        }

        BlockSize = blockSize;
        Capacity = capacity;
        _unbuffered = new UnbufferedBlockWriter(blockSize + BlockFormat.MaxIdentityLength + BlockFormat.FooterLength);
        _logger = logger;
        _timeProvider = timeProvider;
        _layout = new CacheLayout(directory);
        _directoryLock = _layout.AcquireLock();
        try
        {
            Open();
        }
        catch
        {
            _directoryLock.Dispose();
            throw;
        }

        _saveTimer = timeProvider.CreateTimer(
            static state => ((DiskBlockCache)state!).SaveAccessOrder(onlyIfChanged: true, close: false),
            this, AccessOrderSaveInterval, AccessOrderSaveInterval);
    }

    public int BlockSize { get; }

    /// <summary>The hard cap on the bytes of block files on disk.</summary>
    public long Capacity { get; }

    /// <summary>The directory given at construction, as a full path.</summary>
    public string DirectoryPath => _layout.Root;

    /// <summary>Bytes on disk charged against <see cref="Capacity"/>: cached blocks (data, trailer,
    /// rounded up to 4 KiB) and writes in flight. Never above <see cref="Capacity"/>.</summary>
    public long UsedBytes => Volatile.Read(ref _usedBytes);

    /// <summary>
    /// Waits for writes in flight, saves the access order and releases the directory. Later calls to
    /// any method but the read-only properties throw <see cref="ObjectDisposedException"/>.
    /// </summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        _saveTimer.Dispose();
        SpinWait.SpinUntil(() =>
        {
            lock (_lock)
            {
                return _pending.Count == 0;
            }
        });
        SaveAccessOrder(onlyIfChanged: false, close: true);
        _directoryLock.Dispose();
    }

    private BlockEntry? FindLocked(FileKey file, long blockIndex)
        => _files.TryGetValue(file, out var cached) && cached.Blocks.TryGetValue(blockIndex, out var entry) ? entry : null;

    /// <summary>Indexes a complete block file as the newest; its charge is already counted.</summary>
    private void PublishLocked(FileKey key, byte[] identity, long blockIndex, int dataLength, UInt128 name, long charge)
    {
        if (!_files.TryGetValue(key, out var file))
        {
            file = new CachedFile(key, identity);
            _files.Add(key, file);
            var pathKey = (key.Peer, key.Path);
            if (!_versions.TryGetValue(pathKey, out var versions))
            {
                versions = [];
                _versions.Add(pathKey, versions);
            }

            versions.Add(file);
        }

        var entry = new BlockEntry(file, blockIndex, dataLength, name, charge);
        file.Blocks.Add(blockIndex, entry);
        file.DataBytes += dataLength;
        _lru.AddNewest(entry);
        _orderChanged = true;
    }

    /// <summary>Removes a block from the index and unlinks its file, then releases its charge.</summary>
    private void RemoveLocked(BlockEntry entry)
    {
        _lru.Remove(entry);
        var file = entry.File;
        file.Blocks.Remove(entry.Index);
        file.DataBytes -= entry.DataLength;
        if (file.Blocks.Count == 0)
        {
            _files.Remove(file.Key);
            var pathKey = (file.Key.Peer, file.Key.Path);
            if (_versions.TryGetValue(pathKey, out var versions))
            {
                versions.Remove(file);
                if (versions.Count == 0)
                {
                    _versions.Remove(pathKey);
                }
            }
        }

        _orderChanged = true;
        DeleteChargedFileLocked(_layout.BlockPath(entry.Name), entry.Charge);
    }

    /// <summary>Unlinks a charged file and releases its charge; if the unlink fails the bytes may still
    /// be on disk, so they stay charged (until the next open recounts the directory).</summary>
    private void DeleteChargedFileLocked(string path, long charge)
    {
        try
        {
            File.Delete(path);
            _usedBytes -= charge;
        }
        catch (DirectoryNotFoundException)
        {
            _usedBytes -= charge; // the blocks directory itself is gone, and the file with it
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.DeleteFailed(_logger, path, ex);
        }
    }

    /// <summary>Evicts least recently used blocks until <paramref name="charge"/> more bytes fit, then
    /// charges them. False when they cannot fit (everything left is reserved by writes in flight).</summary>
    private bool ReserveLocked(long charge)
    {
        while (_usedBytes + charge > Capacity)
        {
            var victim = _lru.Oldest;
            if (victim is null)
            {
                return false;
            }

            RemoveLocked(victim);
            _evictions++;
        }

        _usedBytes += charge;
        return true;
    }
}

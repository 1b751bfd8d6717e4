using System.Buffers;
using HddFs.Core;
using Microsoft.Extensions.Logging;

namespace HddFs.Vfs;

/// <summary>
/// Fetches blocks of remote files into the block cache: one ranged request per run of missing blocks,
/// block-aligned (the last block of a file short), at most one fetch in flight per block; readers of a
/// block in flight await the same task. A block's task completes with null when the block is in the
/// cache, or with its bytes when the cache refused it (those bytes also go to the
/// <see cref="MemoryBlockBuffer"/>); it faults with <see cref="VfsException"/> or is cancelled (the
/// request's stream was cancelled: the reader retries).
///
/// Consistency: a request never asks past the expected end of file except one byte on the last block, so
/// a peer that declares fewer bytes than expected (file shrank) or that extra byte (file grew) reveals a
/// changed file: nothing of that response is stored, the change is reported and the read fails. A peer
/// that declares more than was asked breaks the protocol and fails the read. Before each request the
/// node's current entry is compared with the handle's version: a file known to have changed is never
/// fetched under its old key.
///
/// LOCK ORDER: <see cref="_lock"/> → the block store's and <see cref="MemoryBlockBuffer"/>'s own locks
/// (presence checks only). No other code runs under <see cref="_lock"/>.
/// </summary>
internal sealed class BlockFetcher
{
    // immutable
    private readonly IBlockStore _cache;
    private readonly MemoryBlockBuffer _memory;
    private readonly VfsOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly PeerHealth _health;
    private readonly BackgroundWork _background;
    private readonly CancellationToken _disposing;
    private readonly Func<FetchTarget, IRemoteShares> _connect;
    private readonly Action<FetchTarget, string> _changed;
    private readonly int _blockSize;
    private readonly int _requestBlocks;
    private readonly Lock _lock = new();

    // guarded by _lock
    private readonly Dictionary<(FileKey File, long Block), TaskCompletionSource<byte[]?>> _inFlight = [];

    // atomics
    private long _requestsStarted;

    /// <param name="connect">Returns the peer's shares for a fetch, or throws <see cref="VfsException"/>
    /// (IoError) when the peer is unreachable or the file changed since the handle opened it.</param>
    /// <param name="changed">Called when a response shows the remote file changed.</param>
    public BlockFetcher(
        IBlockStore cache,
        MemoryBlockBuffer memory,
        VfsOptions options,
        TimeProvider time,
        ILogger logger,
        PeerHealth health,
        BackgroundWork background,
        Func<FetchTarget, IRemoteShares> connect,
        Action<FetchTarget, string> changed,
        CancellationToken disposing)
    {
        _cache = cache;
        _memory = memory;
        _options = options;
        _time = time;
        _logger = logger;
        _health = health;
        _background = background;
        _disposing = disposing;
        _connect = connect;
        _changed = changed;
        _blockSize = cache.BlockSize;
        _requestBlocks = (int)Math.Clamp(options.MaxRequestBytes / _blockSize, 1, int.MaxValue);
    }

    /// <summary>Remote requests started (for tests and diagnostics).</summary>
    public long RequestsStarted => Interlocked.Read(ref _requestsStarted);

    public int InFlightBlocks
    {
        get
        {
            lock (_lock)
            {
                return _inFlight.Count;
            }
        }
    }

    /// <summary>
    /// Starts fetching the blocks of [<paramref name="firstBlock"/>, +<paramref name="blockCount"/>) that are
    /// neither cached nor already in flight, as runs of at most MaxRequestBytes. The result completes when
    /// those requests end: true when all succeeded (or nothing was needed), false otherwise. Never faults.
    /// <paramref name="token"/> cancels the requests (a prefetch stream); the mount's disposal always does.
    /// </summary>
    public Task<bool> Fetch(FetchTarget target, long firstBlock, int blockCount, CancellationToken token)
        => Fetch(target, firstBlock, blockCount, firstIsMissing: false, token, out _);

    /// <summary>
    /// For a reader that just failed to read <paramref name="firstBlock"/> from the cache (absent or
    /// corrupt): fetches it even if the store still claims to hold it, with the missing blocks after it,
    /// and returns the task of <paramref name="firstBlock"/> (the one already in flight, or the new one).
    /// Only the mount's disposal cancels these requests.
    /// </summary>
    public Task<byte[]?> FetchForReader(FetchTarget target, long firstBlock, int blockCount)
    {
        _ = Fetch(target, firstBlock, blockCount, firstIsMissing: true, CancellationToken.None, out var first);
        return first!;
    }

    private Task<bool> Fetch(FetchTarget target, long firstBlock, int blockCount, bool firstIsMissing, CancellationToken token, out Task<byte[]?>? first)
    {
        first = null;
        var key = target.Key;
        var lastBlock = Math.Min(firstBlock + blockCount, BlockCount(key.Size)) - 1;
        List<(long First, TaskCompletionSource<byte[]?>[] Blocks)>? runs = null;
        lock (_lock)
        {
            List<TaskCompletionSource<byte[]?>>? run = null;
            long runFirst = 0;
            for (var block = firstBlock; block <= lastBlock; block++)
            {
                var missing = !_inFlight.ContainsKey((key, block))
                    && ((firstIsMissing && block == firstBlock) || (!_memory.Contains(key, block) && !_cache.Contains(key, block)));
                if (missing)
                {
                    if (run is null)
                    {
                        run = [];
                        runFirst = block;
                    }

                    var pending = new TaskCompletionSource<byte[]?>(TaskCreationOptions.RunContinuationsAsynchronously);
                    _inFlight[(key, block)] = pending;
                    run.Add(pending);
                }

                if (run is not null && (!missing || run.Count == _requestBlocks || block == lastBlock))
                {
                    (runs ??= []).Add((runFirst, run.ToArray()));
                    run = null;
                }
            }

            if (firstIsMissing)
            {
                first = _inFlight[(key, firstBlock)].Task;
            }
        }

        if (runs is null)
        {
            return Task.FromResult(true);
        }

        var tasks = runs.Select(r => _background.Track(RunAsync(target, r.First, r.Blocks, token))).ToArray();
        return tasks.Length == 1 ? tasks[0] : AllSucceeded(tasks);
    }

    /// <summary>Expected length of a block of a file of the key's size.</summary>
    public int BlockLength(FileKey key, long block) => (int)Math.Min(_blockSize, key.Size - (block * _blockSize));

    public long BlockCount(long size) => (size + _blockSize - 1) / _blockSize;

    private static async Task<bool> AllSucceeded(Task<bool>[] tasks)
    {
        var results = await Task.WhenAll(tasks).ConfigureAwait(false);
        return results.All(r => r);
    }

    // Runs one ranged request and settles every block task of the run (delivered, failed or cancelled).
    private async Task<bool> RunAsync(FetchTarget target, long firstBlock, TaskCompletionSource<byte[]?>[] blocks, CancellationToken token)
    {
        await Task.Yield(); // never run a peer's code on the thread that registered the run
        var key = target.Key;
        var start = firstBlock * _blockSize;
        var end = Math.Min(key.Size, (firstBlock + blocks.Length) * (long)_blockSize);
        var delivered = 0;
        byte[]? buffer = null;
        var abandoned = false;
        using var deadline = new ProgressDeadline(_options.RequestTimeout, _time, token, _disposing);
        try
        {
            var shares = _connect(target);
            var probeGrowth = end == key.Size;
            var ask = end - start + (probeGrowth ? 1 : 0);
            Interlocked.Increment(ref _requestsStarted);
            var opening = shares.ReadAsync(key.Path, start, ask, deadline.Token).AsTask();
            RemoteRead read;
            try
            {
                read = await opening.WaitAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!opening.IsCompleted)
            {
                DisposeWhenDone(opening);
                throw;
            }

            try
            {
                deadline.Progress();
                if (read.Length > ask)
                {
                    throw new RemoteShareException(RemoteError.Protocol, $"asked {ask} bytes, peer declared {read.Length}");
                }

                if (read.Length != end - start)
                {
                    var reason = read.Length < end - start
                        ? $"{start + read.Length} bytes where {key.Size} were listed"
                        : $"more than the {key.Size} bytes listed";
                    _changed(target, reason);
                    throw new VfsException(VfsError.IoError, $"'{key.Path}' changed on the peer ({reason}).");
                }

                buffer = ArrayPool<byte>.Shared.Rent(_blockSize);
                for (; delivered < blocks.Length; delivered++)
                {
                    var block = firstBlock + delivered;
                    var length = BlockLength(key, block);
                    var filled = 0;
                    while (filled < length)
                    {
                        var reading = read.Body.ReadAsync(buffer.AsMemory(filled, length - filled), deadline.Token).AsTask();
                        int n;
                        try
                        {
                            n = await reading.WaitAsync(deadline.Token).ConfigureAwait(false);
                        }
                        catch (OperationCanceledException) when (!reading.IsCompleted)
                        {
                            abandoned = true; // the stream may still write into the buffer: never reuse it
                            throw;
                        }

                        if (n == 0)
                        {
                            throw new RemoteShareException(RemoteError.Protocol, "the response ended before its declared length");
                        }

                        filled += n;
                        deadline.Progress();
                    }

                    Deliver(target, block, buffer.AsSpan(0, length), blocks[delivered]);
                }
            }
            finally
            {
                if (abandoned)
                {
                    _ = DisposeQuietlyAsync(read);
                }
                else
                {
                    await DisposeQuietlyAsync(read).ConfigureAwait(false);
                }
            }

            _health.ReportSuccess(key.Peer);
            return true;
        }
        catch (Exception ex)
        {
            var error = Translate(ex, deadline, target);
            for (var i = delivered; i < blocks.Length; i++)
            {
                Settle(key, firstBlock + i, blocks[i]);
                if (error is null)
                {
                    blocks[i].TrySetCanceled(token);
                }
                else
                {
                    blocks[i].TrySetException(error);
                }
            }

            return false;
        }
        finally
        {
            if (buffer is not null && !abandoned)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    private void Deliver(FetchTarget target, long block, ReadOnlySpan<byte> data, TaskCompletionSource<byte[]?> pending)
    {
        var key = target.Key;
        var stored = false;
        try
        {
            _cache.Write(key, block, data);
            stored = _cache.Contains(key, block);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            _logger.CacheWriteFailed(block, target.Node.Key, ex);
        }

        byte[]? copy = null;
        if (!stored)
        {
            _logger.CacheRefused(block, target.Node.Key);
            copy = data.ToArray();
            _memory.Add(key, block, copy);
        }

        Settle(key, block, pending);
        pending.TrySetResult(copy);
    }

    private void Settle(FileKey key, long block, TaskCompletionSource<byte[]?> pending)
    {
        lock (_lock)
        {
            if (_inFlight.TryGetValue((key, block), out var current) && ReferenceEquals(current, pending))
            {
                _inFlight.Remove((key, block));
            }
        }
    }

    // Null: the request's stream or the mount was cancelled (readers retry or give up themselves).
    private VfsException? Translate(Exception ex, ProgressDeadline deadline, FetchTarget target)
    {
        var peer = target.Key.Peer;
        switch (ex)
        {
            case OperationCanceledException when deadline.Expired:
                _health.ReportTimeout(peer);
                _logger.PeerTimedOut(PeerName.Display(peer), _options.FailFastPeriod);
                return new VfsException(VfsError.IoError, $"The peer did not answer within {_options.RequestTimeout.TotalSeconds:0.###} s.", ex);
            case OperationCanceledException:
                return null;
            case VfsException vfs:
                return vfs;
            case RemoteShareException { Error: RemoteError.NotFound } remote:
                _changed(target, "gone from the peer");
                return new VfsException(VfsError.IoError, $"'{target.Key.Path}' is gone from the peer.", remote);
            case RemoteShareException { Error: RemoteError.Timeout } remote:
                _health.ReportTimeout(peer);
                _logger.PeerTimedOut(PeerName.Display(peer), _options.FailFastPeriod);
                return new VfsException(VfsError.IoError, remote.Message, remote);
            default:
                _logger.RemoteCallFailed("read", target.Node.Key, ex.Message);
                return new VfsException(VfsError.IoError, $"Reading '{target.Key.Path}' failed: {ex.Message}", ex);
        }
    }

    private static void DisposeWhenDone(Task<RemoteRead> opening)
        => _ = opening.ContinueWith(
            static t =>
            {
                if (t.IsCompletedSuccessfully)
                {
                    _ = DisposeQuietlyAsync(t.Result);
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);

    private static async Task DisposeQuietlyAsync(RemoteRead read)
    {
        try
        {
            await read.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception)
        {
        }
    }
}

using HddFs.Core;
using Microsoft.Extensions.Logging;

namespace HddFs.Vfs;

/// <summary>
/// Fetches blocks of remote files into <see cref="BlockMemory"/>: one ranged request per run of missing
/// blocks, block-aligned (the last block of a file short), at most one fetch or load per block (a block
/// registered in the memory is shared by every reader). The response body is read straight into the
/// blocks' buffers and each block's watermark advances as bytes arrive, so a reader waiting for the start
/// of a block proceeds before the block (let alone the request) is complete. Each complete block goes to
/// the <see cref="CacheWriter"/> (write-behind; never read back) and stays in memory, pinned, until written.
///
/// Consistency: a request never asks past the expected end of file except one byte on the last block, so
/// a peer that declares fewer bytes than expected (file shrank) or that extra byte (file grew) reveals a
/// changed file: its header is checked before any byte reaches a reader or the cache, the change is
/// reported and the read fails. A peer that declares more than was asked breaks the protocol and fails
/// the read. Before each request the node's current entry is compared with the handle's version: a file
/// known to have changed is never fetched under its old key.
///
/// LOCK ORDER: no lock of its own; it calls <see cref="BlockMemory"/> and the block store (presence
/// checks) without holding anything.
/// </summary>
internal sealed class BlockFetcher
{
    // immutable
    private readonly IBlockStore _cache;
    private readonly BlockMemory _memory;
    private readonly CacheWriter _writer;
    private readonly CacheLoader _loader;
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

    // atomics
    private long _requestsStarted;

    /// <param name="connect">Returns the peer's shares for a fetch, or throws <see cref="VfsException"/>
    /// (IoError) when the peer is unreachable or the file changed since the handle opened it.</param>
    /// <param name="changed">Called when a response shows the remote file changed.</param>
    public BlockFetcher(
        IBlockStore cache,
        BlockMemory memory,
        CacheWriter writer,
        CacheLoader loader,
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
        _writer = writer;
        _loader = loader;
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

    /// <summary>
    /// Makes the blocks of [<paramref name="firstBlock"/>, +<paramref name="blockCount"/>) resident: those
    /// neither in memory nor cached are fetched as runs of at most MaxRequestBytes; cached ones are queued
    /// for the <see cref="CacheLoader"/>, so a warm sequential reader finds its blocks in memory and the
    /// disk sees several reads at once. The result completes when the requests ended (loads count as
    /// ended at once): true when all succeeded (or nothing was needed), false otherwise. Never faults.
    /// <paramref name="token"/> cancels the requests (a prefetch stream); the mount's disposal always does.
    /// </summary>
    public Task<bool> Fetch(FetchTarget target, long firstBlock, int blockCount, CancellationToken token)
    {
        var key = target.Key;
        var lastBlock = Math.Min(firstBlock + blockCount, BlockCount(key.Size)) - 1;
        List<Task<bool>>? tasks = null;
        List<ResidentBlock>? run = null;
        List<ResidentBlock>? loads = null;
        var progress = new FetchProgress();
        for (var block = firstBlock; block <= lastBlock; block++)
        {
            ResidentBlock? registered = null;
            var blockKey = new BlockKey(key, block);
            if (_cache.Contains(key, block))
            {
                if (_memory.Register(blockKey, BlockLength(key, block), fromCache: true, progress: null, pinForReader: false, out _) is { } load)
                {
                    (loads ??= []).Add(load);
                }
            }
            else
            {
                registered = _memory.Register(blockKey, BlockLength(key, block), fromCache: false, progress, pinForReader: false, out _);
            }

            if (registered is not null)
            {
                (run ??= []).Add(registered);
            }

            if (run is not null && (registered is null || run.Count == _requestBlocks || block == lastBlock))
            {
                (tasks ??= []).Add(Start(target, run, progress, token));
                run = null;
                progress = new FetchProgress();
            }
        }

        // Loads count as done for the stream at once: it moves on and queues the rest of its window,
        // which keeps the loader's threads (and the disk) busy.
        loads?.ForEach(_loader.Enqueue);

        return tasks is null ? Task.FromResult(true)
            : tasks.Count == 1 ? tasks[0]
            : AllSucceeded(tasks);
    }

    /// <summary>
    /// For a reader that found <paramref name="firstBlock"/> neither in memory nor (readable) in the cache:
    /// returns that block pinned for the reader (unpin when done) — the one now present in memory, or a new
    /// one fetched at once together with the missing blocks after it, up to <paramref name="blockCount"/>.
    /// Only the mount's disposal cancels this request.
    /// </summary>
    public ResidentBlock FetchForReader(FetchTarget target, long firstBlock, int blockCount)
    {
        var key = target.Key;
        var progress = new FetchProgress();
        var first = _memory.Register(new BlockKey(key, firstBlock), BlockLength(key, firstBlock), fromCache: false, progress, pinForReader: true, out var present);
        if (first is null)
        {
            return present!;
        }

        List<ResidentBlock> run = [first];
        var lastBlock = Math.Min(firstBlock + Math.Min(blockCount, _requestBlocks), BlockCount(key.Size)) - 1;
        for (var block = firstBlock + 1; block <= lastBlock; block++)
        {
            var next = _cache.Contains(key, block)
                ? null
                : _memory.Register(new BlockKey(key, block), BlockLength(key, block), fromCache: false, progress, pinForReader: false, out _);
            if (next is null)
            {
                break;
            }

            run.Add(next);
        }

        _ = Start(target, run, progress, CancellationToken.None);
        return present!;
    }

    /// <summary>Expected length of a block of a file of the key's size.</summary>
    public int BlockLength(FileKey key, long block) => (int)Math.Min(_blockSize, key.Size - (block * _blockSize));

    public long BlockCount(long size) => (size + _blockSize - 1) / _blockSize;

    private static async Task<bool> AllSucceeded(List<Task<bool>> tasks)
    {
        var results = await Task.WhenAll(tasks).ConfigureAwait(false);
        return results.All(r => r);
    }

    private Task<bool> Start(FetchTarget target, List<ResidentBlock> run, FetchProgress progress, CancellationToken token)
        => _background.Track(RunAsync(target, run, progress, token));

    // Runs one ranged request and settles every block of the run (filled, failed or cancelled). Each
    // block carries one pin of this filler until it is settled; a filled block's pin goes to the writer.
    private async Task<bool> RunAsync(FetchTarget target, List<ResidentBlock> blocks, FetchProgress progress, CancellationToken token)
    {
        await Task.Yield(); // never run a peer's code on the thread that registered the run
        var key = target.Key;
        var firstBlock = blocks[0].Index;
        var start = firstBlock * _blockSize;
        var end = Math.Min(key.Size, (firstBlock + blocks.Count) * (long)_blockSize);
        var delivered = 0;
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
                progress.Report(_time.GetTimestamp());
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

                for (; delivered < blocks.Count; delivered++)
                {
                    var block = blocks[delivered];
                    if (!_memory.TryAllocate(block))
                    {
                        deadline.Pause(); // waiting for the disk or a reader, not for the peer
                        await _memory.AllocateAsync(block, deadline.Token).ConfigureAwait(false);
                        deadline.Progress();
                    }

                    var buffer = block.Data!;
                    var filled = 0;
                    while (filled < block.Length)
                    {
                        var reading = read.Body.ReadAsync(buffer.AsMemory(filled, block.Length - filled), deadline.Token).AsTask();
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
                        block.Advance(filled);
                        deadline.Progress();
                        progress.Report(_time.GetTimestamp());
                    }

                    _memory.Settle(block);
                    _writer.Enqueue(block); // takes over our pin
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
            for (var i = delivered; i < blocks.Count; i++)
            {
                _memory.Fail(blocks[i], (Exception?)error ?? new OperationCanceledException(token), abandoned && i == delivered);
            }

            return false;
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

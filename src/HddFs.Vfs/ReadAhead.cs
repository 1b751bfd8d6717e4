namespace HddFs.Vfs;

/// <summary>
/// The prefetch policy of one open file, as a state machine without I/O (the owner,
/// <see cref="OpenFile"/>, holds its lock around every call).
///
/// A read that does not follow the previous ones starts a new stream (a new <see cref="Generation"/>;
/// the owner cancels the old stream's requests): the first request covers the read plus the initial
/// window (1 MiB + 128 KiB by default), whole blocks. Each following sequential read doubles the window
/// up to the maximum and moves the target to the reader's end plus the window; the target is fetched
/// as block-range requests of at most MaxRequestBytes, at most MaxRequests in flight, issued as earlier
/// ones finish. A read counts as sequential when it starts no more than the tolerance before the end of
/// the stream so far, and no more than the tolerance past what was already requested (the kernel
/// reorders concurrent reads). A failed request pauses the stream until the next read.
///
/// Losses: when a block the stream requested had to be fetched again by the reader (it was evicted
/// before it was read: the memory budget or the block cache is too small for the windows of all
/// readers), <see cref="OnLost"/> halves the largest window this stream may use (never below the
/// initial window), so competing streams settle on windows that fit instead of fetching twice.
/// </summary>
internal sealed class ReadAhead
{
    // immutable
    private readonly long _size;
    private readonly long _block;
    private readonly long _initial;
    private readonly long _floor;
    private readonly long _tolerance;
    private readonly long _requestBlocks;
    private readonly int _maxRequests;

    // mutable, under the owner's lock
    private long _max;
    private long _streamStart;
    private long _streamEnd = -1;
    private long _scheduled;
    private long _target;
    private long _window;
    private int _inFlight;
    private bool _paused;

    /// <param name="maxWindow">The largest window (the options' PrefetchMaxWindow, possibly clamped to
    /// what the memory can hold); zero disables prefetch.</param>
    public ReadAhead(long fileSize, int blockSize, VfsOptions options, long maxWindow)
    {
        _size = fileSize;
        _block = blockSize;
        _max = maxWindow;
        _initial = Math.Min(options.PrefetchInitialWindow, Math.Max(_max, blockSize));
        _floor = Math.Min(_max, AlignUp(_initial));
        _tolerance = options.SequentialTolerance;
        _requestBlocks = Math.Max(1, options.MaxRequestBytes / blockSize);
        _maxRequests = options.PrefetchMaxRequests;
    }

    /// <summary>Incremented whenever a new stream starts.</summary>
    public int Generation { get; private set; }

    /// <summary>Current window (bytes ahead of the reader the stream aims for).</summary>
    public long Window => _window;

    /// <summary>The largest window this stream may still grow to.</summary>
    public long MaxWindow => _max;

    /// <summary>Requests of the current stream in flight.</summary>
    public int InFlight => _inFlight;

    /// <summary>Records a read; returns true when it started a new stream after an earlier one (a seek).</summary>
    public bool OnRead(long offset, int length)
    {
        var end = offset + length;
        var sequential = _streamEnd >= 0
            && offset >= _streamEnd - _tolerance
            && offset <= Math.Max(_streamEnd, _scheduled) + _tolerance;
        var seek = false;
        if (sequential)
        {
            _window = Math.Min(_window * 2, _max);
            _streamEnd = Math.Max(_streamEnd, end);
            _scheduled = Math.Max(_scheduled, AlignDown(offset));
            _target = Math.Max(_target, Math.Min(_size, AlignUp(_streamEnd + _window)));
        }
        else
        {
            seek = _streamEnd >= 0;
            Generation++;
            _inFlight = 0;
            _window = _initial;
            _streamEnd = end;
            _streamStart = AlignDown(offset);
            _scheduled = _streamStart;
            _target = Math.Min(_size, AlignUp(Math.Max(end, offset + _initial)));
        }

        _paused = false;
        return seek;
    }

    /// <summary>The next range to request, if the stream wants one now.</summary>
    public bool TryTake(out long firstBlock, out int blockCount)
    {
        firstBlock = 0;
        blockCount = 0;
        if (_max == 0 || _paused || _inFlight >= _maxRequests || _scheduled >= _target)
        {
            return false;
        }

        firstBlock = _scheduled / _block;
        var lastBlock = Math.Min((_target - 1) / _block, firstBlock + _requestBlocks - 1);
        blockCount = (int)(lastBlock - firstBlock + 1);
        _scheduled = Math.Min(_size, (lastBlock + 1) * _block);
        _inFlight++;
        return true;
    }

    /// <summary>A request of stream <paramref name="generation"/> ended.</summary>
    public void OnDone(int generation, bool succeeded)
    {
        if (generation != Generation)
        {
            return;
        }

        _inFlight = Math.Max(0, _inFlight - 1);
        if (!succeeded)
        {
            _paused = true;
        }
    }

    /// <summary>Whether the current stream already requested <paramref name="block"/> (so a reader that
    /// finds it missing means it was fetched and lost).</summary>
    public bool Requested(long block)
    {
        var offset = block * _block;
        return _streamEnd >= 0 && offset >= _streamStart && offset < _scheduled;
    }

    /// <summary>A block this stream requested was evicted before it was read: halve the largest window.</summary>
    public void OnLost()
    {
        _max = Math.Max(_floor, _max / 2);
        _window = Math.Min(_window, _max);
    }

    private long AlignDown(long offset) => offset / _block * _block;

    private long AlignUp(long offset) => offset > long.MaxValue - _block ? long.MaxValue : (offset + _block - 1) / _block * _block;
}

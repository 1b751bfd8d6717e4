using System.Runtime.CompilerServices;
using HddFs.Core;

namespace HddFs.Testing;

/// <summary>One ranged read as the fake received it.</summary>
public sealed record FakeReadRequest(SharePath Path, long Offset, long Length);

/// <summary>
/// An in-memory peer's shares for tests: a tree of directories and files (top-level directories are the
/// shares), listed in pages with cumulative directory sizes, read by byte range, with per-peer fault
/// injection (latency per request, failure with a <see cref="RemoteError"/>, hanging until cancelled,
/// stalled bodies, lying about lengths, extra hostile entries) and counters of what was asked.
/// Behaves as <see cref="IRemoteShares"/> promises: ranged reads declare exactly the bytes they deliver
/// (fewer than asked only at end of file), cancellation surfaces as <see cref="OperationCanceledException"/>.
/// Thread-safe.
/// </summary>
public sealed class FakeRemoteShares : IRemoteShares
{
    /// <summary>The mtime files and directories get when none is given (2023-11-14).</summary>
    public const long DefaultModifiedUnixMs = 1_700_000_000_000;

    private readonly Lock _lock = new();
    private readonly TimeProvider _time;

    // guarded by _lock
    private readonly SortedDictionary<string, Item> _items = new(StringComparer.Ordinal);
    private readonly List<FakeReadRequest> _reads = [];
    private readonly List<RemoteEntry> _extraEntries = [];
    private int _inFlight;

    // atomics
    private int _listRequests;
    private int _readRequests;
    private long _bytesServed;
    private int _cancellations;
    private int _maxInFlight;

    public FakeRemoteShares(PeerId peer, TimeProvider? time = null)
    {
        Peer = peer;
        _time = time ?? TimeProvider.System;
    }

    public PeerId Peer { get; }

    /// <summary>Delay before every response (listing's first page, read's header).</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>Per-read delay, overriding <see cref="Latency"/> for reads when set.</summary>
    public Func<FakeReadRequest, TimeSpan>? ReadLatency { get; set; }

    /// <summary>Every request fails with this error (after the latency).</summary>
    public RemoteError? FailWith { get; set; }

    /// <summary>Every request hangs until its token is cancelled.</summary>
    public bool Hang { get; set; }

    /// <summary>Reads answer their header, then the body never delivers (until cancelled).</summary>
    public bool HangBodies { get; set; }

    /// <summary>Added to every read's declared length (a hostile or broken peer).</summary>
    public long DeclaredLengthDelta { get; set; }

    /// <summary>Entries per listing page.</summary>
    public int PageSize { get; set; } = 64;

    public int ListRequests => Volatile.Read(ref _listRequests);

    public int ReadRequests => Volatile.Read(ref _readRequests);

    /// <summary>Body bytes handed out by reads.</summary>
    public long BytesServed => Interlocked.Read(ref _bytesServed);

    /// <summary>Requests (or bodies) that were cancelled while waiting, hanging or streaming.</summary>
    public int Cancellations => Volatile.Read(ref _cancellations);

    /// <summary>Most reads waiting for their header at the same time.</summary>
    public int MaxConcurrentReads => Volatile.Read(ref _maxInFlight);

    /// <summary>Every read received, in order.</summary>
    public IReadOnlyList<FakeReadRequest> Reads
    {
        get
        {
            lock (_lock)
            {
                return _reads.ToList();
            }
        }
    }

    /// <summary>A deterministic key for tests ("peer number <paramref name="seed"/>").</summary>
    public static PeerId NewPeerId(int seed)
    {
        var bytes = new byte[PeerId.Length];
        new Random(seed).NextBytes(bytes);
        bytes[^1] = (byte)seed;
        return new PeerId(bytes);
    }

    /// <summary>Deterministic pseudo-random content.</summary>
    public static byte[] Pattern(int length, int seed = 1)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Adds (or replaces) a file; parent directories are created.</summary>
    public void AddFile(string path, byte[] content, long modifiedUnixMs = DefaultModifiedUnixMs)
    {
        var parsed = SharePath.Parse(path);
        if (parsed.Depth < 2)
        {
            throw new ArgumentException("A file lives inside a share: \"Share/name\".", nameof(path));
        }

        lock (_lock)
        {
            AddParentsLocked(parsed.Parent);
            _items[parsed.Value] = new Item(false, content.ToArray(), modifiedUnixMs);
        }
    }

    /// <summary>Adds a directory (and its parents). A top-level directory is a share.</summary>
    public void AddDirectory(string path, long modifiedUnixMs = DefaultModifiedUnixMs)
    {
        var parsed = SharePath.Parse(path);
        lock (_lock)
        {
            AddParentsLocked(parsed.Parent);
            _items[parsed.Value] = new Item(true, [], modifiedUnixMs);
        }
    }

    /// <summary>Changes a file's content (and mtime, when given).</summary>
    public void SetContent(string path, byte[] content, long? modifiedUnixMs = null)
    {
        lock (_lock)
        {
            var item = RequireFileLocked(path);
            _items[path] = item with { Content = content.ToArray(), ModifiedUnixMs = modifiedUnixMs ?? item.ModifiedUnixMs };
        }
    }

    /// <summary>Changes a file's mtime only.</summary>
    public void Touch(string path, long modifiedUnixMs)
    {
        lock (_lock)
        {
            _items[path] = RequireFileLocked(path) with { ModifiedUnixMs = modifiedUnixMs };
        }
    }

    /// <summary>Removes a file or a directory with everything under it.</summary>
    public bool Remove(string path)
    {
        lock (_lock)
        {
            var removed = _items.Remove(path);
            foreach (var key in _items.Keys.Where(k => k.StartsWith(path + "/", StringComparison.Ordinal)).ToList())
            {
                removed |= _items.Remove(key);
            }

            return removed;
        }
    }

    /// <summary>The entry a listing would show for <paramref name="path"/> (not counted as a request).</summary>
    public RemoteEntry EntryOf(string path)
    {
        lock (_lock)
        {
            return _items.TryGetValue(path, out var item) ? ToEntry(path, item) : throw new InvalidOperationException($"No {path}.");
        }
    }

    public byte[] Content(string path)
    {
        lock (_lock)
        {
            return RequireFileLocked(path).Content.ToArray();
        }
    }

    /// <summary>Entries appended to every listing as they are (to test a hostile peer).</summary>
    public void AddExtraListingEntry(RemoteEntry entry)
    {
        lock (_lock)
        {
            _extraEntries.Add(entry);
        }
    }

    public void ResetCounters()
    {
        lock (_lock)
        {
            _reads.Clear();
        }

        Interlocked.Exchange(ref _listRequests, 0);
        Interlocked.Exchange(ref _readRequests, 0);
        Interlocked.Exchange(ref _bytesServed, 0);
        Interlocked.Exchange(ref _cancellations, 0);
        Interlocked.Exchange(ref _maxInFlight, 0);
    }

    public async IAsyncEnumerable<IReadOnlyList<RemoteEntry>> ListAsync(LsQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        Interlocked.Increment(ref _listRequests);
        await FaultsAsync(Latency, cancellationToken).ConfigureAwait(false);
        var entries = Snapshot(query);
        var pageSize = Math.Max(1, PageSize);
        for (var i = 0; i < entries.Count || i == 0; i += pageSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return entries.Skip(i).Take(pageSize).ToList();
            if (entries.Count == 0)
            {
                yield break;
            }
        }
    }

    public async ValueTask<RemoteRead> ReadAsync(SharePath path, long offset, long length, CancellationToken cancellationToken)
    {
        var request = new FakeReadRequest(path, offset, length);
        Interlocked.Increment(ref _readRequests);
        lock (_lock)
        {
            _reads.Add(request);
            _inFlight++;
            _maxInFlight = Math.Max(_maxInFlight, _inFlight);
        }

        try
        {
            await FaultsAsync(ReadLatency?.Invoke(request) ?? Latency, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            lock (_lock)
            {
                _inFlight--;
            }
        }

        byte[] slice;
        lock (_lock)
        {
            if (!_items.TryGetValue(path.Value, out var item))
            {
                throw new RemoteShareException(RemoteError.NotFound, $"No such file: {path}");
            }

            if (item.IsDirectory)
            {
                throw new RemoteShareException(RemoteError.NotAFile, $"A directory: {path}");
            }

            if (offset < 0 || length < 0 || offset > item.Content.Length)
            {
                throw new RemoteShareException(RemoteError.BadRange, $"Bad range {offset}+{length} of {item.Content.Length} bytes");
            }

            slice = item.Content.AsSpan((int)offset, (int)Math.Min(length, item.Content.Length - offset)).ToArray();
        }

        return new RemoteRead(slice.Length + DeclaredLengthDelta, new Body(this, slice, HangBodies));
    }

    private async Task FaultsAsync(TimeSpan latency, CancellationToken cancellationToken)
    {
        try
        {
            if (latency > TimeSpan.Zero)
            {
                await Task.Delay(latency, _time, cancellationToken).ConfigureAwait(false);
            }

            if (Hang)
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, _time, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            Interlocked.Increment(ref _cancellations);
            throw;
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (FailWith is { } error)
        {
            throw new RemoteShareException(error, $"Injected failure: {error}");
        }
    }

    private List<RemoteEntry> Snapshot(LsQuery query)
    {
        lock (_lock)
        {
            var path = query.Path;
            if (!path.IsRoot)
            {
                if (!_items.TryGetValue(path.Value, out var self))
                {
                    throw new RemoteShareException(RemoteError.NotFound, $"No such path: {path}");
                }

                if (!self.IsDirectory)
                {
                    return [ToEntry(path.Value, self)];
                }
            }

            var entries = _items
                .Select(kv => (Path: SharePath.Parse(kv.Key), kv.Value))
                .Where(e => query.Recursive ? e.Path != path && e.Path.IsSameOrUnder(path) : e.Path.Parent == path)
                .Where(e => query.Search is null || e.Path.Name.Contains(query.Search, StringComparison.OrdinalIgnoreCase))
                .Select(e => ToEntry(e.Path.Value, e.Value))
                .ToList();
            entries.AddRange(_extraEntries);
            return entries;
        }
    }

    private RemoteEntry ToEntry(string path, Item item)
    {
        var size = item.IsDirectory
            ? _items.Where(kv => !kv.Value.IsDirectory && kv.Key.StartsWith(path + "/", StringComparison.Ordinal)).Sum(kv => (long)kv.Value.Content.Length)
            : item.Content.Length;
        return new RemoteEntry(SharePath.Parse(path), size, item.IsDirectory, item.ModifiedUnixMs);
    }

    private void AddParentsLocked(SharePath directory)
    {
        for (var p = directory; !p.IsRoot; p = p.Parent)
        {
            if (_items.TryGetValue(p.Value, out var existing))
            {
                if (!existing.IsDirectory)
                {
                    throw new InvalidOperationException($"{p} is a file.");
                }

                continue;
            }

            _items[p.Value] = new Item(true, [], DefaultModifiedUnixMs);
        }
    }

    private Item RequireFileLocked(string path)
        => _items.TryGetValue(path, out var item) && !item.IsDirectory ? item : throw new InvalidOperationException($"No file {path}.");

    private sealed record Item(bool IsDirectory, byte[] Content, long ModifiedUnixMs);

    // A response body over a private copy of the range; optionally stalls until cancelled.
    private sealed class Body : ReadOnlyBodyStream
    {
        private readonly FakeRemoteShares _owner;
        private readonly byte[] _data;
        private readonly bool _hang;
        private int _position;

        public Body(FakeRemoteShares owner, byte[] data, bool hang)
        {
            _owner = owner;
            _data = data;
            _hang = hang;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            try
            {
                if (_hang)
                {
                    await Task.Delay(Timeout.InfiniteTimeSpan, _owner._time, cancellationToken).ConfigureAwait(false);
                }

                cancellationToken.ThrowIfCancellationRequested();
            }
            catch (OperationCanceledException)
            {
                Interlocked.Increment(ref _owner._cancellations);
                throw;
            }

            return Read(buffer.Span);
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = Math.Min(buffer.Length, _data.Length - _position);
            _data.AsSpan(_position, n).CopyTo(buffer);
            _position += n;
            Interlocked.Add(ref _owner._bytesServed, n);
            return n;
        }

    }
}

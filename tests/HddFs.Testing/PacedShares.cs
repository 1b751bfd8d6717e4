using HddFs.Core;

namespace HddFs.Testing;

/// <summary>
/// A peer over a slow link, for tests and measurements: wraps any <see cref="IRemoteShares"/> (usually a
/// FakeRemoteShares) and delivers read bodies in chunks paced to <see cref="BytesPerSecond"/> after a
/// one-way delay per request, optionally stalling for good after <see cref="StallAfterBytes"/> bytes of a
/// body (a peer that vanished mid-transfer). Listings pass through. Thread-safe (settings are read per
/// request).
/// </summary>
public sealed class PacedShares(IRemoteShares inner, TimeProvider? time = null) : IRemoteShares
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public PeerId Peer => inner.Peer;

    /// <summary>Delay before a read's header (on top of the inner peer's).</summary>
    public TimeSpan RequestLatency { get; set; }

    /// <summary>Body bandwidth per request; 0 = unlimited.</summary>
    public long BytesPerSecond { get; set; }

    /// <summary>Chunk size of paced bodies.</summary>
    public int ChunkBytes { get; set; } = 16 * 1024;

    /// <summary>A body delivers this many bytes, then hangs until cancelled; negative = never.</summary>
    public long StallAfterBytes { get; set; } = -1;

    public IAsyncEnumerable<IReadOnlyList<RemoteEntry>> ListAsync(LsQuery query, CancellationToken cancellationToken)
        => inner.ListAsync(query, cancellationToken);

    public async ValueTask<RemoteRead> ReadAsync(SharePath path, long offset, long length, CancellationToken cancellationToken)
    {
        if (RequestLatency > TimeSpan.Zero)
        {
            await Task.Delay(RequestLatency, _time, cancellationToken);
        }

        var read = await inner.ReadAsync(path, offset, length, cancellationToken);
        return new RemoteRead(read.Length, new PacedBody(read, this));
    }

    private sealed class PacedBody(RemoteRead inner, PacedShares owner) : ReadOnlyBodyStream
    {
        private readonly long _started = owner._time.GetTimestamp();
        private readonly long _bytesPerSecond = owner.BytesPerSecond;
        private readonly long _stallAfter = owner.StallAfterBytes;
        private readonly int _chunk = owner.ChunkBytes;
        private long _delivered;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_stallAfter >= 0 && _delivered >= _stallAfter)
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, owner._time, cancellationToken);
            }

            var want = Math.Min(buffer.Length, _chunk);
            if (_stallAfter >= 0)
            {
                want = (int)Math.Min(want, _stallAfter - _delivered);
            }

            if (_bytesPerSecond > 0)
            {
                // The chunk is due when the link would have carried everything up to its end.
                var due = TimeSpan.FromSeconds((double)(_delivered + want) / _bytesPerSecond);
                var wait = due - owner._time.GetElapsedTime(_started);
                if (wait > TimeSpan.FromMilliseconds(1))
                {
                    await Task.Delay(wait, owner._time, cancellationToken);
                }
            }

            var n = await inner.Body.ReadAsync(buffer[..want], cancellationToken);
            _delivered += n;
            return n;
        }

        public override async ValueTask DisposeAsync()
        {
            await inner.DisposeAsync();
            await base.DisposeAsync();
        }
    }
}

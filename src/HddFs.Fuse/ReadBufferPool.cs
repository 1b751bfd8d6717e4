using System.Collections.Concurrent;

namespace HddFs.Fuse;

/// <summary>
/// Pinned (pinned-object-heap) buffers of <c>16 + MaxRead</c> bytes for READ replies: the reply header is
/// written at [0, 16) and the filesystem fills [16, 16 + size), so a reply is one write(2) without a copy.
/// Ownership: <see cref="Rent"/> hands the buffer to the READ handler, which returns it after the reply
/// was written (or failed); nobody else holds it. Keeps at most <c>retain</c> buffers; more are garbage.
/// Thread-safe.
/// </summary>
internal sealed class ReadBufferPool
{
    private readonly ConcurrentQueue<byte[]> _free = new();
    private readonly int _bufferSize;
    private readonly int _retain;
    private int _count;

    public ReadBufferPool(int bufferSize, int retain)
    {
        _bufferSize = bufferSize;
        _retain = retain;
    }

    public int BufferSize => _bufferSize;

    public byte[] Rent()
    {
        if (_free.TryDequeue(out var buffer))
        {
            Interlocked.Decrement(ref _count);
            return buffer;
        }

        return GC.AllocateUninitializedArray<byte>(_bufferSize, pinned: true);
    }

    public void Return(byte[] buffer)
    {
        if (Interlocked.Increment(ref _count) <= _retain)
        {
            _free.Enqueue(buffer);
        }
        else
        {
            Interlocked.Decrement(ref _count);
        }
    }
}

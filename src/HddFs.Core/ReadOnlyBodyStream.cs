namespace HddFs.Core;

/// <summary>
/// Base of forward-only, read-only streams such as a <see cref="RemoteRead.Body"/>: a derived class implements
/// <see cref="ReadAsync(Memory{byte}, CancellationToken)"/> (and may override <see cref="Length"/> and
/// <see cref="Position"/>); everything else either forwards to it or is not supported. The synchronous
/// <see cref="Read(byte[], int, int)"/> blocks on the asynchronous read (streams are read asynchronously here).
/// </summary>
public abstract class ReadOnlyBodyStream : Stream
{
    public sealed override bool CanRead => true;

    public sealed override bool CanSeek => false;

    public sealed override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public abstract override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default);

    public sealed override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count)
        => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public sealed override void Flush()
    {
    }

    public sealed override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public sealed override void SetLength(long value) => throw new NotSupportedException();

    public sealed override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

using HddFs.Core;

namespace HddFs.Peers.Rpc;

/// <summary>
/// Read-only view of [offset, offset + length) of a file, read with positional I/O. Owns the file.
/// A file that shrinks underneath, or a disk error, is a <see cref="RemoteShareException"/> rather
/// than a short, silent end.
/// </summary>
internal sealed class FileRangeStream(FileStream file, long offset, long length) : Stream
{
    private long _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => length;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset1, int count) => Read(buffer.AsSpan(offset1, count));

    public override int Read(Span<byte> buffer)
    {
        var want = (int)Math.Min(buffer.Length, length - _position);
        if (want <= 0)
        {
            return 0;
        }

        try
        {
            return Advance(RandomAccess.Read(file.SafeFileHandle, buffer[..want], offset + _position));
        }
        catch (IOException ex)
        {
            throw new RemoteShareException(RemoteError.Internal, "Reading the shared file failed: " + ex.Message, ex);
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var want = (int)Math.Min(buffer.Length, length - _position);
        if (want <= 0)
        {
            return 0;
        }

        try
        {
            return Advance(await RandomAccess.ReadAsync(file.SafeFileHandle, buffer[..want], offset + _position, cancellationToken));
        }
        catch (IOException ex)
        {
            throw new RemoteShareException(RemoteError.Internal, "Reading the shared file failed: " + ex.Message, ex);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset1, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset1, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset1, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset1, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            file.Dispose();
        }

        base.Dispose(disposing);
    }

    private int Advance(int n)
    {
        if (n == 0)
        {
            throw new RemoteShareException(RemoteError.Internal, $"The file shrank while being read ({_position} of {length} bytes delivered).");
        }

        _position += n;
        return n;
    }
}

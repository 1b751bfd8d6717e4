using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;

namespace HddFs.Protocol;

/// <summary>Reading whole frames from a stream or a pipe.</summary>
public static partial class FrameReader
{
    /// <summary>
    /// Reads one frame. Null on a clean end of stream before the frame's first byte; an end inside a
    /// frame throws <see cref="ProtocolErrorKind.Truncated"/>. Reads exactly the frame's bytes and no
    /// more, so the raw data after a <see cref="ReadResponse"/> stays in the stream for the caller.
    /// The body buffer is pooled and sized to the declared length only after it was checked.
    /// Stream failures (IOException, cancellation) pass through unwrapped.
    /// </summary>
    public static async ValueTask<Message?> ReadAsync(Stream stream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var header = ArrayPool<byte>.Shared.Rent(FrameLimits.HeaderBytes);
        try
        {
            var read = await stream.ReadAtLeastAsync(header.AsMemory(0, FrameLimits.HeaderBytes), FrameLimits.HeaderBytes, throwOnEndOfStream: false, cancellationToken);
            if (read == 0)
            {
                return null;
            }

            if (read >= FrameLimits.LengthPrefixBytes)
            {
                // A bad length is reported as such even when the stream also ended.
                _ = CheckLength(BinaryPrimitives.ReadUInt32BigEndian(header));
            }

            if (read < FrameLimits.HeaderBytes)
            {
                throw Truncated(read);
            }

            var bodyLength = CheckLength(BinaryPrimitives.ReadUInt32BigEndian(header));
            CheckType(header[FrameLimits.LengthPrefixBytes], bodyLength);

            var body = ArrayPool<byte>.Shared.Rent(bodyLength);
            try
            {
                body[0] = header[FrameLimits.LengthPrefixBytes];
                var rest = bodyLength - 1;
                var got = await stream.ReadAtLeastAsync(body.AsMemory(1, rest), rest, throwOnEndOfStream: false, cancellationToken);
                return got < rest ? throw Truncated(FrameLimits.HeaderBytes + got) : DecodeBody(body.AsSpan(0, bodyLength));
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(body);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(header);
        }
    }

    /// <summary>
    /// Reads one frame from a pipe: null on a completed pipe with nothing left, Truncated on a pipe
    /// completed mid-frame. Consumes exactly the frame; later bytes (raw read data, the next frame)
    /// stay in the pipe. A frame whose header is bad is rejected without waiting for its body.
    /// </summary>
    public static async ValueTask<Message?> ReadAsync(PipeReader reader, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            bool complete;
            Message? message;
            try
            {
                complete = TryRead(ref buffer, out message);
            }
            catch (ProtocolException)
            {
                reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
                throw;
            }

            if (complete)
            {
                reader.AdvanceTo(buffer.Start);
                return message;
            }

            // Nothing consumed; everything examined, so the next read waits for more bytes.
            reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCanceled)
            {
                throw new OperationCanceledException("The pipe read was cancelled.");
            }

            if (result.IsCompleted)
            {
                return buffer.IsEmpty ? null : throw Truncated(buffer.Length);
            }
        }
    }
}

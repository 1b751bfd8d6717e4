using System.Buffers;
using System.Buffers.Binary;
using HddFs.Protocol.Wire;

namespace HddFs.Protocol;

/// <summary>
/// Encodes messages as frames: [u32 big-endian body length][body], body = [type][fields]. A message
/// the protocol cannot carry (a field over its limit, a page over its size) throws ArgumentException
/// before anything is written, so a partial frame never reaches a writer.
/// </summary>
public static class FrameWriter
{
    /// <summary>Bytes the frame for <paramref name="message"/> takes, length prefix included.</summary>
    public static int GetFrameLength(Message message) => FrameLimits.LengthPrefixBytes + MeasureBody(message);

    /// <summary>Writes one frame and advances <paramref name="writer"/> past it. Flushing is the caller's.</summary>
    public static void Write(IBufferWriter<byte> writer, Message message)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var bodyLength = MeasureBody(message);
        var frameLength = FrameLimits.LengthPrefixBytes + bodyLength;
        WriteFrame(writer.GetSpan(frameLength)[..frameLength], message, bodyLength);
        writer.Advance(frameLength);
    }

    /// <summary>Writes one frame at the start of <paramref name="destination"/>; returns its length.</summary>
    public static int Write(Span<byte> destination, Message message)
    {
        var bodyLength = MeasureBody(message);
        var frameLength = FrameLimits.LengthPrefixBytes + bodyLength;
        if (destination.Length < frameLength)
        {
            throw new ArgumentException($"The frame needs {frameLength} bytes, the destination has {destination.Length}.", nameof(destination));
        }

        WriteFrame(destination[..frameLength], message, bodyLength);
        return frameLength;
    }

    public static byte[] ToArray(Message message)
    {
        var bodyLength = MeasureBody(message);
        var frame = new byte[FrameLimits.LengthPrefixBytes + bodyLength];
        WriteFrame(frame, message, bodyLength);
        return frame;
    }

    /// <summary>Writes one frame to <paramref name="stream"/> in a single write (from a pooled buffer,
    /// returned when the write completes). Does not flush or finish the stream.</summary>
    public static async ValueTask WriteAsync(Stream stream, Message message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var bodyLength = MeasureBody(message);
        var frameLength = FrameLimits.LengthPrefixBytes + bodyLength;
        var buffer = ArrayPool<byte>.Shared.Rent(frameLength);
        try
        {
            WriteFrame(buffer.AsSpan(0, frameLength), message, bodyLength);
            await stream.WriteAsync(buffer.AsMemory(0, frameLength), cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static int MeasureBody(Message message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var bodyLength = message.MeasureBody();
        var max = FrameLimits.MaxBodyLength(message.Type);
        if (bodyLength > max)
        {
            throw new ArgumentException($"{message.Type} body of {bodyLength} bytes exceeds its limit of {max}.", nameof(message));
        }

        return bodyLength;
    }

    /// <summary><paramref name="frame"/> is exactly prefix + body long.</summary>
    private static void WriteFrame(Span<byte> frame, Message message, int bodyLength)
    {
        BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)bodyLength);
        var writer = new BodyWriter(frame[FrameLimits.LengthPrefixBytes..]);
        writer.WriteByte((byte)message.Type);
        message.WriteFields(ref writer);
        if (writer.Position != bodyLength)
        {
            // Measure and write disagree: the message changed underneath us (a mutated list) or a bug.
            throw new InvalidOperationException($"{message.Type} wrote {writer.Position} bytes after measuring {bodyLength}.");
        }
    }
}

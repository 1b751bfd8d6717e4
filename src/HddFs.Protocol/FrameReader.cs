using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using HddFs.Protocol.Wire;

namespace HddFs.Protocol;

/// <summary>
/// Incremental frame decoder. Everything read is treated as hostile: the declared body length is
/// checked against the limit for its type as soon as the 5 header bytes are present, before any
/// body byte is waited for, copied or allocated; nothing is allocated beyond that bounded length.
/// For any input the decoder returns a message, asks for more data, or throws
/// <see cref="ProtocolException"/> — never another exception type.
/// </summary>
public static partial class FrameReader
{
    /// <summary>
    /// Decodes the frame at the start of <paramref name="buffer"/>. True: <paramref name="message"/>
    /// is set and <paramref name="buffer"/> now starts after the frame. False: more bytes are needed
    /// (buffer unchanged; allocates nothing). Throws <see cref="ProtocolException"/> for garbage.
    /// </summary>
    public static bool TryRead(ref ReadOnlySequence<byte> buffer, [NotNullWhen(true)] out Message? message)
    {
        message = null;
        try
        {
            if (buffer.Length < FrameLimits.LengthPrefixBytes)
            {
                return false;
            }

            Span<byte> header = stackalloc byte[FrameLimits.HeaderBytes];
            var headerLength = (int)Math.Min(buffer.Length, FrameLimits.HeaderBytes);
            buffer.Slice(0, headerLength).CopyTo(header);
            var bodyLength = CheckLength(BinaryPrimitives.ReadUInt32BigEndian(header));
            if (headerLength < FrameLimits.HeaderBytes)
            {
                return false;
            }

            CheckType(header[FrameLimits.LengthPrefixBytes], bodyLength);
            var frameLength = FrameLimits.LengthPrefixBytes + bodyLength;
            if (buffer.Length < frameLength)
            {
                return false;
            }

            var body = buffer.Slice(FrameLimits.LengthPrefixBytes, bodyLength);
            message = body.IsSingleSegment ? MessageCodec.DecodeBody(body.FirstSpan) : DecodeSegmented(body, bodyLength);
            buffer = buffer.Slice(frameLength);
            return true;
        }
        catch (Exception ex) when (ex is not ProtocolException)
        {
            throw Wrap(ex);
        }
    }

    /// <summary>Decodes the one complete frame at the start of <paramref name="data"/> (bytes after it,
    /// e.g. a signature, are left to the caller); <paramref name="consumed"/> is the frame's length.
    /// A frame cut short throws <see cref="ProtocolErrorKind.Truncated"/>.</summary>
    public static Message Decode(ReadOnlySpan<byte> data, out int consumed)
    {
        try
        {
            if (data.Length < FrameLimits.LengthPrefixBytes)
            {
                throw Truncated(data.Length);
            }

            var bodyLength = CheckLength(BinaryPrimitives.ReadUInt32BigEndian(data));
            if (data.Length < FrameLimits.HeaderBytes)
            {
                throw Truncated(data.Length);
            }

            CheckType(data[FrameLimits.LengthPrefixBytes], bodyLength);
            var frameLength = FrameLimits.LengthPrefixBytes + bodyLength;
            if (data.Length < frameLength)
            {
                throw Truncated(data.Length);
            }

            var message = MessageCodec.DecodeBody(data.Slice(FrameLimits.LengthPrefixBytes, bodyLength));
            consumed = frameLength;
            return message;
        }
        catch (Exception ex) when (ex is not ProtocolException)
        {
            throw Wrap(ex);
        }
    }

    /// <summary>The declared body length as an int, or throws for a length no frame may have.</summary>
    private static int CheckLength(uint bodyLength)
    {
        if (bodyLength == 0)
        {
            throw new ProtocolException(ProtocolErrorKind.Malformed, "Empty frame: a body starts with its type byte.");
        }

        return bodyLength <= FrameLimits.MaxBody
            ? (int)bodyLength
            : throw new ProtocolException(ProtocolErrorKind.FrameTooLarge, $"Frame declares {bodyLength} bytes, above any message's limit of {FrameLimits.MaxBody}.");
    }

    private static void CheckType(byte type, int bodyLength)
    {
        var max = FrameLimits.MaxBodyLength((MessageType)type);
        if (max == 0)
        {
            throw MessageCodec.UnknownType(type);
        }

        if (bodyLength > max)
        {
            throw new ProtocolException(ProtocolErrorKind.FrameTooLarge, $"{(MessageType)type} frame declares {bodyLength} bytes, above its limit of {max}.");
        }
    }

    /// <summary>Decodes a body split over segments through a pooled copy of exactly its (bounded) length.</summary>
    private static Message DecodeSegmented(ReadOnlySequence<byte> body, int bodyLength)
    {
        var copy = ArrayPool<byte>.Shared.Rent(bodyLength);
        try
        {
            body.CopyTo(copy);
            return MessageCodec.DecodeBody(copy.AsSpan(0, bodyLength));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(copy);
        }
    }

    /// <summary>Decodes a complete body, turning any failure into a ProtocolException.</summary>
    private static Message DecodeBody(ReadOnlySpan<byte> body)
    {
        try
        {
            return MessageCodec.DecodeBody(body);
        }
        catch (Exception ex) when (ex is not ProtocolException)
        {
            throw Wrap(ex);
        }
    }

    private static ProtocolException Truncated(long have)
        => new(ProtocolErrorKind.Truncated, $"Input ended inside a frame after {have} bytes.");

    /// <summary>A decoder bug surfaced as a failure of this one stream (fuzz tests assert it never happens).</summary>
    private static ProtocolException Wrap(Exception ex)
        => new(ProtocolErrorKind.Malformed, "Undecodable frame.", ex);
}

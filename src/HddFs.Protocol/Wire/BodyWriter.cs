using System.Buffers.Binary;
using HddFs.Core;

namespace HddFs.Protocol.Wire;

/// <summary>
/// Writes fields into a span sized beforehand from the message's measured body length. Writing past
/// the end is a bug in the measuring code (it throws); <see cref="Position"/> lets the frame writer
/// check that measure and write agree.
/// </summary>
internal ref struct BodyWriter
{
    private readonly Span<byte> _destination;
    private int _position;

    public BodyWriter(Span<byte> destination) => _destination = destination;

    public readonly int Position => _position;

    public void WriteByte(byte value) => _destination[_position++] = value;

    public void WriteUInt16(ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(_destination[_position..], value);
        _position += 2;
    }

    public void WriteUInt64(ulong value)
    {
        BinaryPrimitives.WriteUInt64BigEndian(_destination[_position..], value);
        _position += 8;
    }

    public void WriteInt64(long value) => WriteUInt64(unchecked((ulong)value));

    public void WriteBytes(scoped ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_destination[_position..]);
        _position += bytes.Length;
    }

    public void WriteVarUInt64(ulong value) => _position += Varint.Write(_destination[_position..], value);

    /// <summary>Varint length then strict UTF-8; <paramref name="byteCount"/> is the measured length.</summary>
    public void WriteUtf8(string value, int byteCount)
    {
        WriteVarUInt64((ulong)byteCount);
        _position += Utf8Text.Strict.GetBytes(value, _destination.Slice(_position, byteCount));
    }

    public void WritePath(SharePath path, int byteCount) => WriteUtf8(path.Value, byteCount);

    /// <summary>Measured length of a length-prefixed string of <paramref name="byteCount"/> bytes.</summary>
    public static int PrefixedLength(int byteCount) => Varint.Length((ulong)byteCount) + byteCount;
}

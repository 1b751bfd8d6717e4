using System.Buffers.Binary;
using System.Text;
using System.Text.Unicode;
using HddFs.Core;

namespace HddFs.Protocol.Wire;

/// <summary>
/// Reads the fields of one complete frame body (after the type byte). Every shortfall or bad value
/// throws <see cref="ProtocolException"/>; nothing here throws anything else for any input. Strings
/// are allocated only after their length was checked against both the field limit and the bytes left.
/// Error texts name fields and numbers only, never peer-supplied text.
/// </summary>
internal ref struct BodyReader
{
    private readonly ReadOnlySpan<byte> _fields;
    private readonly MessageType _type;
    private int _position;

    public BodyReader(ReadOnlySpan<byte> fields, MessageType type)
    {
        _fields = fields;
        _type = type;
    }

    public readonly int Remaining => _fields.Length - _position;

    public byte ReadByte(string field)
    {
        Need(1, field);
        return _fields[_position++];
    }

    public ushort ReadUInt16(string field)
    {
        Need(2, field);
        var value = BinaryPrimitives.ReadUInt16BigEndian(_fields[_position..]);
        _position += 2;
        return value;
    }

    public ulong ReadUInt64(string field)
    {
        Need(8, field);
        var value = BinaryPrimitives.ReadUInt64BigEndian(_fields[_position..]);
        _position += 8;
        return value;
    }

    public long ReadInt64(string field) => unchecked((long)ReadUInt64(field));

    public ReadOnlySpan<byte> ReadBytes(int count, string field)
    {
        Need(count, field);
        var bytes = _fields.Slice(_position, count);
        _position += count;
        return bytes;
    }

    /// <summary>Unsigned LEB128, shortest form only, at most 10 bytes and 64 bits.</summary>
    public ulong ReadVarUInt64(string field)
    {
        ulong result = 0;
        for (var i = 0; i < Varint.MaxBytes; i++)
        {
            if (_position >= _fields.Length)
            {
                throw Malformed($"body ends inside {field}.");
            }

            var b = _fields[_position++];
            if (i == Varint.MaxBytes - 1 && b > 1)
            {
                throw Malformed($"{field} does not fit in 64 bits.");
            }

            result |= (ulong)(b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0)
            {
                if (b == 0 && i > 0)
                {
                    throw Malformed($"{field} is an overlong varint.");
                }

                return result;
            }
        }

        // Unreachable: the tenth byte either ended the varint or was rejected above.
        throw Malformed($"{field} is longer than {Varint.MaxBytes} bytes.");
    }

    /// <summary>A varint byte length (at most <paramref name="maxBytes"/>) followed by strict UTF-8.</summary>
    public string ReadUtf8(int maxBytes, string field)
    {
        var bytes = ReadLengthPrefixed(maxBytes, field);
        if (!Utf8.IsValid(bytes))
        {
            throw Invalid($"{field} is not valid UTF-8.");
        }

        return Encoding.UTF8.GetString(bytes);
    }

    /// <summary>A length-prefixed UTF-8 share path, validated by <see cref="SharePath.TryParse(string?, out SharePath)"/>.</summary>
    public SharePath ReadPath(string field)
    {
        var text = ReadUtf8(SharePath.MaxBytes, field);
        return SharePath.TryParse(text, out var path)
            ? path
            : throw Invalid($"{field} is not a valid share path.");
    }

    /// <summary>Every field was read; anything left over is a protocol violation.</summary>
    public readonly void ExpectEnd()
    {
        if (Remaining != 0)
        {
            throw Malformed($"{Remaining} bytes after the last field.");
        }
    }

    /// <summary>A field value that breaks its rule (the message is prefixed with the message type).</summary>
    public readonly ProtocolException Invalid(string message) => new(ProtocolErrorKind.InvalidField, $"{_type}: {message}");

    /// <summary>A body whose structure is broken (the message is prefixed with the message type).</summary>
    public readonly ProtocolException Malformed(string message) => new(ProtocolErrorKind.Malformed, $"{_type}: {message}");

    private ReadOnlySpan<byte> ReadLengthPrefixed(int maxBytes, string field)
    {
        var length = ReadVarUInt64(field + " length");
        if (length > (ulong)maxBytes)
        {
            throw Invalid($"{field} is {length} bytes, above its limit of {maxBytes}.");
        }

        return ReadBytes((int)length, field);
    }

    private readonly void Need(int count, string field)
    {
        if (count < 0 || count > Remaining)
        {
            throw Malformed($"body ends inside {field}.");
        }
    }
}

using System.Buffers.Binary;

namespace HddFs.Core;

/// <summary>
/// An immutable 32-byte value (a key, a MAC) held as four big-endian 64-bit words, so copies never
/// alias a mutable array. Equality is by value (not constant-time: compare secrets with
/// <c>CryptographicOperations.FixedTimeEquals</c> on the bytes); ordering is by the bytes.
/// </summary>
public readonly struct Bytes32 : IEquatable<Bytes32>, IComparable<Bytes32>
{
    public const int Length = 32;

    private readonly ulong _a, _b, _c, _d;

    /// <summary>Copies exactly 32 bytes; <paramref name="what"/> names the value in the error.</summary>
    public Bytes32(ReadOnlySpan<byte> bytes, string what = "value")
    {
        if (bytes.Length != Length)
        {
            throw new ArgumentException($"A {what} is exactly {Length} bytes, got {bytes.Length}.", nameof(bytes));
        }

        _a = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        _b = BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
        _c = BinaryPrimitives.ReadUInt64BigEndian(bytes[16..]);
        _d = BinaryPrimitives.ReadUInt64BigEndian(bytes[24..]);
    }

    public bool IsZero => (_a | _b | _c | _d) == 0;

    public void CopyTo(Span<byte> destination)
    {
        if (destination.Length < Length)
        {
            throw new ArgumentException("Destination too short.", nameof(destination));
        }

        BinaryPrimitives.WriteUInt64BigEndian(destination, _a);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _b);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..], _c);
        BinaryPrimitives.WriteUInt64BigEndian(destination[24..], _d);
    }

    public byte[] ToArray()
    {
        var bytes = new byte[Length];
        CopyTo(bytes);
        return bytes;
    }

    /// <summary>Lower-case hex (64 characters).</summary>
    public string ToHex()
    {
        Span<byte> bytes = stackalloc byte[Length];
        CopyTo(bytes);
        return Convert.ToHexStringLower(bytes);
    }

    public bool Equals(Bytes32 other) => _a == other._a && _b == other._b && _c == other._c && _d == other._d;

    public override bool Equals(object? obj) => obj is Bytes32 other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(_a, _b, _c, _d);

    public int CompareTo(Bytes32 other)
    {
        var c = _a.CompareTo(other._a);
        if (c != 0)
        {
            return c;
        }

        c = _b.CompareTo(other._b);
        if (c != 0)
        {
            return c;
        }

        c = _c.CompareTo(other._c);
        return c != 0 ? c : _d.CompareTo(other._d);
    }

    public override string ToString() => ToHex();

    public static bool operator ==(Bytes32 left, Bytes32 right) => left.Equals(right);

    public static bool operator !=(Bytes32 left, Bytes32 right) => !left.Equals(right);

    public static bool operator <(Bytes32 left, Bytes32 right) => left.CompareTo(right) < 0;

    public static bool operator >(Bytes32 left, Bytes32 right) => left.CompareTo(right) > 0;

    public static bool operator <=(Bytes32 left, Bytes32 right) => left.CompareTo(right) <= 0;

    public static bool operator >=(Bytes32 left, Bytes32 right) => left.CompareTo(right) >= 0;
}

using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace HddFs.Core;

/// <summary>
/// A peer's identity: its raw 32-byte Ed25519 public key. This, and never the display name, is what
/// is trusted. Immutable value type (four 64-bit words, so copies cannot alias a mutable array).
/// </summary>
public readonly struct PeerId : IEquatable<PeerId>, IComparable<PeerId>
{
    public const int Length = 32;

    private readonly ulong _a, _b, _c, _d;

    public PeerId(ReadOnlySpan<byte> publicKey)
    {
        if (publicKey.Length != Length)
        {
            throw new ArgumentException($"A peer id is exactly {Length} bytes, got {publicKey.Length}.", nameof(publicKey));
        }

        _a = BinaryPrimitives.ReadUInt64BigEndian(publicKey);
        _b = BinaryPrimitives.ReadUInt64BigEndian(publicKey[8..]);
        _c = BinaryPrimitives.ReadUInt64BigEndian(publicKey[16..]);
        _d = BinaryPrimitives.ReadUInt64BigEndian(publicKey[24..]);
    }

    /// <summary>True for <c>default(PeerId)</c>, which no real key equals in practice.</summary>
    public bool IsEmpty => (_a | _b | _c | _d) == 0;

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

    /// <summary>Lower-case hex of the whole key (64 characters).</summary>
    public string ToHex()
    {
        Span<byte> bytes = stackalloc byte[Length];
        CopyTo(bytes);
        return Convert.ToHexStringLower(bytes);
    }

    /// <summary>A short display fingerprint: the first 8 hex characters. Never used for trust.</summary>
    public string Fingerprint => ToHex()[..8];

    public override string ToString() => ToHex();

    public static PeerId Parse(string hex)
        => TryParse(hex, out var id) ? id : throw new FormatException("A peer key is 64 hexadecimal characters.");

    public static bool TryParse([NotNullWhen(true)] string? hex, out PeerId id)
    {
        id = default;
        if (hex is null || hex.Length != Length * 2)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[Length];
        if (Convert.FromHexString(hex, bytes, out _, out var written) != System.Buffers.OperationStatus.Done || written != Length)
        {
            return false;
        }

        id = new PeerId(bytes);
        return true;
    }

    /// <summary>True when <paramref name="hexPrefix"/> (case-insensitive) is a prefix of this key's hex.</summary>
    public bool HasHexPrefix(string hexPrefix)
        => hexPrefix.Length > 0 && ToHex().StartsWith(hexPrefix, StringComparison.OrdinalIgnoreCase);

    public bool Equals(PeerId other) => _a == other._a && _b == other._b && _c == other._c && _d == other._d;

    public override bool Equals(object? obj) => obj is PeerId other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(_a, _b, _c, _d);

    /// <summary>Total order on the key bytes (big-endian), used for deterministic tie-breaks.</summary>
    public int CompareTo(PeerId other)
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

    public static bool operator ==(PeerId left, PeerId right) => left.Equals(right);

    public static bool operator !=(PeerId left, PeerId right) => !left.Equals(right);

    public static bool operator <(PeerId left, PeerId right) => left.CompareTo(right) < 0;

    public static bool operator >(PeerId left, PeerId right) => left.CompareTo(right) > 0;

    public static bool operator <=(PeerId left, PeerId right) => left.CompareTo(right) <= 0;

    public static bool operator >=(PeerId left, PeerId right) => left.CompareTo(right) >= 0;
}

using System.Diagnostics.CodeAnalysis;

namespace HddFs.Core;

/// <summary>
/// A peer's identity: its raw 32-byte Ed25519 public key. This, and never the display name, is what
/// is trusted. Immutable value type; ordered by the key bytes (used for deterministic tie-breaks).
/// </summary>
public readonly struct PeerId : IEquatable<PeerId>, IComparable<PeerId>
{
    public const int Length = Bytes32.Length;

    private readonly Bytes32 _key;

    public PeerId(ReadOnlySpan<byte> publicKey) => _key = new Bytes32(publicKey, "peer id");

    /// <summary>True for <c>default(PeerId)</c>, which no real key equals in practice.</summary>
    public bool IsEmpty => _key.IsZero;

    public void CopyTo(Span<byte> destination) => _key.CopyTo(destination);

    public byte[] ToArray() => _key.ToArray();

    /// <summary>Lower-case hex of the whole key (64 characters).</summary>
    public string ToHex() => _key.ToHex();

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

    public bool Equals(PeerId other) => _key.Equals(other._key);

    public override bool Equals(object? obj) => obj is PeerId other && Equals(other);

    public override int GetHashCode() => _key.GetHashCode();

    /// <summary>Total order on the key bytes (big-endian), used for deterministic tie-breaks.</summary>
    public int CompareTo(PeerId other) => _key.CompareTo(other._key);

    public static bool operator ==(PeerId left, PeerId right) => left.Equals(right);

    public static bool operator !=(PeerId left, PeerId right) => !left.Equals(right);

    public static bool operator <(PeerId left, PeerId right) => left.CompareTo(right) < 0;

    public static bool operator >(PeerId left, PeerId right) => left.CompareTo(right) > 0;

    public static bool operator <=(PeerId left, PeerId right) => left.CompareTo(right) <= 0;

    public static bool operator >=(PeerId left, PeerId right) => left.CompareTo(right) >= 0;
}

using System.Buffers.Binary;
using System.Security.Cryptography;
using HddFs.Core;

namespace HddFs.Protocol;

/// <summary>
/// Proof that the sender knows a topic, bound to both peers' keys and the sender's role:
/// HMAC-SHA256(helloKey, "hddfs-hello-v1" || role byte || prover key || verifier key), where
/// helloKey = <c>TopicKey.Derive("hello")</c>. A proof made for one peer fails at any other peer
/// (the verifier key differs) and fails when reflected (the role differs). Immutable 32-byte value.
/// </summary>
public readonly struct TopicProof : IEquatable<TopicProof>
{
    public const int Length = 32;
    public const int HelloKeyLength = 32;

    private const int ContextLength = 14; // "hddfs-hello-v1"

    private readonly ulong _a, _b, _c, _d;

    public TopicProof(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
        {
            throw new ArgumentException($"A topic proof is exactly {Length} bytes, got {bytes.Length}.", nameof(bytes));
        }

        _a = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        _b = BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
        _c = BinaryPrimitives.ReadUInt64BigEndian(bytes[16..]);
        _d = BinaryPrimitives.ReadUInt64BigEndian(bytes[24..]);
    }

    /// <summary>The proof <paramref name="self"/> (acting as <paramref name="role"/>) sends to <paramref name="other"/>.</summary>
    public static TopicProof Compute(ReadOnlySpan<byte> helloKey, HelloRole role, PeerId self, PeerId other)
    {
        if (helloKey.Length != HelloKeyLength)
        {
            throw new ArgumentException($"A hello key is exactly {HelloKeyLength} bytes (TopicKey.Derive(\"hello\")).", nameof(helloKey));
        }

        if (role is not (HelloRole.Client or HelloRole.Server))
        {
            throw new ArgumentOutOfRangeException(nameof(role));
        }

        Span<byte> input = stackalloc byte[ContextLength + 1 + PeerId.Length + PeerId.Length];
        "hddfs-hello-v1"u8.CopyTo(input);
        input[ContextLength] = (byte)role;
        self.CopyTo(input[(ContextLength + 1)..]);
        other.CopyTo(input[(ContextLength + 1 + PeerId.Length)..]);

        Span<byte> mac = stackalloc byte[Length];
        HMACSHA256.HashData(helloKey, input, mac);
        return new TopicProof(mac);
    }

    /// <summary>
    /// Whether this proof was made with <paramref name="helloKey"/> by <paramref name="prover"/>
    /// acting as <paramref name="proverRole"/>, for <paramref name="verifier"/>. Compares in constant time.
    /// </summary>
    public bool Verify(ReadOnlySpan<byte> helloKey, HelloRole proverRole, PeerId prover, PeerId verifier)
    {
        var expected = Compute(helloKey, proverRole, prover, verifier);
        Span<byte> expectedBytes = stackalloc byte[Length];
        Span<byte> actualBytes = stackalloc byte[Length];
        expected.CopyTo(expectedBytes);
        CopyTo(actualBytes);
        return CryptographicOperations.FixedTimeEquals(expectedBytes, actualBytes);
    }

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

    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[Length];
        CopyTo(bytes);
        return Convert.ToHexStringLower(bytes);
    }

    /// <summary>Value equality for tests and collections; authentication uses <see cref="Verify"/>.</summary>
    public bool Equals(TopicProof other) => _a == other._a && _b == other._b && _c == other._c && _d == other._d;

    public override bool Equals(object? obj) => obj is TopicProof other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(_a, _b, _c, _d);

    public static bool operator ==(TopicProof left, TopicProof right) => left.Equals(right);

    public static bool operator !=(TopicProof left, TopicProof right) => !left.Equals(right);
}

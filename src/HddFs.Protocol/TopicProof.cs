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

    private readonly Bytes32 _mac;

    public TopicProof(ReadOnlySpan<byte> bytes) => _mac = new Bytes32(bytes, "topic proof");

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

    public void CopyTo(Span<byte> destination) => _mac.CopyTo(destination);

    public byte[] ToArray() => _mac.ToArray();

    public override string ToString() => _mac.ToHex();

    /// <summary>Value equality for tests and collections; authentication uses <see cref="Verify"/>.</summary>
    public bool Equals(TopicProof other) => _mac.Equals(other._mac);

    public override bool Equals(object? obj) => obj is TopicProof other && Equals(other);

    public override int GetHashCode() => _mac.GetHashCode();

    public static bool operator ==(TopicProof left, TopicProof right) => left.Equals(right);

    public static bool operator !=(TopicProof left, TopicProof right) => !left.Equals(right);
}

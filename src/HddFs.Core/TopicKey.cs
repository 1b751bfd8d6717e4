using System.Security.Cryptography;
using System.Text;

namespace HddFs.Core;

/// <summary>
/// The secret shared by everyone who knows a topic's name. Derived with HKDF-SHA256 and a fixed,
/// versioned salt, so it is domain-separated from every other use of the name. The name itself never
/// leaves the machine: announcements go to <see cref="RendezvousId"/>, which is derived from the key.
/// </summary>
public sealed class TopicKey : IEquatable<TopicKey>
{
    public const int Length = 32;
    private static readonly byte[] Salt = Encoding.ASCII.GetBytes("hddfs/topic/v1");

    private readonly byte[] _key;

    private TopicKey(string name, byte[] key)
    {
        Name = name;
        _key = key;
        RendezvousId = Convert.ToHexStringLower(Derive("rendezvous", 16));
    }

    /// <summary>The topic name as the user typed it (kept locally only).</summary>
    public string Name { get; }

    /// <summary>Public, unlinkable-to-the-name identifier (32 hex chars) for brokers and tags.</summary>
    public string RendezvousId { get; }

    public ReadOnlySpan<byte> Key => _key;

    public static TopicKey FromName(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (Encoding.UTF8.GetByteCount(name) > 1024)
        {
            throw new ArgumentException("A topic name is at most 1024 bytes.", nameof(name));
        }

        var ikm = Encoding.UTF8.GetBytes(name.Normalize(NormalizationForm.FormC));
        var key = HKDF.DeriveKey(HashAlgorithmName.SHA256, ikm, Length, Salt, Encoding.ASCII.GetBytes("topic key"));
        return new TopicKey(name, key);
    }

    /// <summary>A sub-key for one purpose (e.g. "hello", "announce", "mdns"): HKDF-Expand with that label.</summary>
    public byte[] Derive(string purpose, int length = 32)
        => HKDF.Expand(HashAlgorithmName.SHA256, _key, length, Encoding.ASCII.GetBytes("hddfs/" + purpose));

    public bool Equals(TopicKey? other)
        => other is not null && CryptographicOperations.FixedTimeEquals(_key, other._key);

    public override bool Equals(object? obj) => Equals(obj as TopicKey);

    public override int GetHashCode() => RendezvousId.GetHashCode(StringComparison.Ordinal);

    public override string ToString() => $"topic {RendezvousId[..8]}";
}

using HddFs.Protocol.Wire;

namespace HddFs.Protocol;

/// <summary>
/// The first message each side sends on a connection's first stream: the versions it speaks and one
/// <see cref="TopicProof"/> per topic it offers. Hello is the only message read before a version is
/// agreed, so its decoder ignores unknown flag bits and any bytes after the proofs (room for
/// extensions later versions may add); every other message is strict.
/// </summary>
/// <param name="Version">The highest protocol version the sender speaks (≥ 1).</param>
/// <param name="MinVersion">The lowest it still speaks (1 ≤ MinVersion ≤ Version).</param>
/// <param name="Proofs">0..<see cref="MaxProofs"/> proofs.</param>
public sealed record Hello(ushort Version, ushort MinVersion, IReadOnlyList<TopicProof> Proofs) : Message
{
    public const int MaxProofs = 16;

    // type u8, version u16, min version u16, flags u8, count u8
    private const int FixedLength = 7;

    public override MessageType Type => MessageType.Hello;

    public bool Equals(Hello? other)
        => other is not null && Version == other.Version && MinVersion == other.MinVersion && Proofs.SequenceEqual(other.Proofs);

    public override int GetHashCode() => HashCode.Combine(Version, MinVersion, Proofs.Count);

    internal override int MeasureBody()
    {
        ArgumentNullException.ThrowIfNull(Proofs, nameof(Proofs));
        if (Version == 0 || MinVersion == 0 || MinVersion > Version)
        {
            throw new ArgumentException($"Hello versions must satisfy 1 <= MinVersion ({MinVersion}) <= Version ({Version}).");
        }

        if (Proofs.Count > MaxProofs)
        {
            throw new ArgumentException($"A hello carries at most {MaxProofs} proofs, got {Proofs.Count}.");
        }

        return FixedLength + (Proofs.Count * TopicProof.Length);
    }

    internal override void WriteFields(ref BodyWriter writer)
    {
        writer.WriteUInt16(Version);
        writer.WriteUInt16(MinVersion);
        writer.WriteByte(0); // flags: none defined in version 1
        writer.WriteByte((byte)Proofs.Count);
        Span<byte> proof = stackalloc byte[TopicProof.Length];
        for (var i = 0; i < Proofs.Count; i++)
        {
            Proofs[i].CopyTo(proof);
            writer.WriteBytes(proof);
        }
    }

    internal static Hello Decode(ref BodyReader reader)
    {
        var version = reader.ReadUInt16("version");
        var minVersion = reader.ReadUInt16("min version");
        if (version == 0 || minVersion == 0 || minVersion > version)
        {
            throw reader.Invalid($"versions {minVersion}..{version} are not a valid range.");
        }

        _ = reader.ReadByte("flags"); // unknown bits are ignored in a hello (see type comment)
        var count = reader.ReadByte("proof count");
        if (count > MaxProofs)
        {
            throw reader.Invalid($"has {count} proofs, above the limit of {MaxProofs}.");
        }

        var bytes = reader.ReadBytes(count * TopicProof.Length, "proofs");
        var proofs = new TopicProof[count];
        for (var i = 0; i < count; i++)
        {
            proofs[i] = new TopicProof(bytes.Slice(i * TopicProof.Length, TopicProof.Length));
        }

        // Bytes after the proofs are a later version's extensions: skipped, bounded by MaxHelloBody.
        return new Hello(version, minVersion, proofs);
    }
}

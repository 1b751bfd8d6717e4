using HddFs.Core;
using NSec.Cryptography;

namespace HddFs.Discovery.Tests;

/// <summary>A real Ed25519 signer (NSec) with a fresh key; <see cref="Id"/> can be made to lie.</summary>
internal sealed class TestSigner : ISigner, IDisposable
{
    private readonly Key _key = Key.Create(SignatureAlgorithm.Ed25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.None });

    public TestSigner(PeerId? claimedId = null)
    {
        RealId = new PeerId(_key.PublicKey.Export(KeyBlobFormat.RawPublicKey));
        Id = claimedId ?? RealId;
    }

    /// <summary>The key announcements say they come from (normally the signing key).</summary>
    public PeerId Id { get; }

    /// <summary>The key that really signs.</summary>
    public PeerId RealId { get; }

    public byte[] Sign(ReadOnlySpan<byte> message) => SignatureAlgorithm.Ed25519.Sign(_key, message);

    public void Dispose() => _key.Dispose();
}

/// <summary>System time shifted by a settable offset (timers still run on real time).</summary>
internal sealed class ShiftedTimeProvider : TimeProvider
{
    public TimeSpan Offset { get; set; }

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Offset;
}

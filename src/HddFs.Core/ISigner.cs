namespace HddFs.Core;

/// <summary>Signs with this node's Ed25519 identity key (held by HddFs.Peers' Identity).</summary>
public interface ISigner
{
    PeerId Id { get; }

    /// <summary>64-byte Ed25519 signature of <paramref name="message"/>.</summary>
    byte[] Sign(ReadOnlySpan<byte> message);
}

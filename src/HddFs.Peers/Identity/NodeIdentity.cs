using System.Text;
using HddFs.Core;
using NSec.Cryptography;

namespace HddFs.Peers.Identity;

/// <summary>
/// This node's persistent Ed25519 key pair, and the self-signed certificate QUIC presents. The key
/// lives in <c>identity.key</c> (PKCS#8 PEM, mode 0600) in the data directory, created on first use.
/// A key file that exists but cannot be read or parsed is an error and is never replaced: replacing it
/// would silently give the user a new identity that none of their peers know.
/// Thread-safe; owns the NSec key (dispose to release it).
/// </summary>
public sealed class NodeIdentity : ISigner, IDisposable
{
    public const string KeyFileName = "identity.key";

    private static readonly SignatureAlgorithm Ed25519 = SignatureAlgorithm.Ed25519;

    private readonly Key _key;

    private NodeIdentity(Key key, string? keyFile)
    {
        _key = key;
        KeyFile = keyFile;
        Id = new PeerId(key.PublicKey.Export(KeyBlobFormat.RawPublicKey));
    }

    public PeerId Id { get; }

    /// <summary>The file the key was loaded from (null for an in-memory identity).</summary>
    public string? KeyFile { get; }

    public string Name => PeerName.For(Id);

    /// <summary>Loads the identity from <paramref name="dataDirectory"/>, creating it on first use.</summary>
    public static NodeIdentity LoadOrCreate(string dataDirectory)
    {
        DataDirectory.Ensure(dataDirectory);
        var path = Path.Combine(dataDirectory, KeyFileName);
        return File.Exists(path) ? Load(path) : Create(path);
    }

    /// <summary>A fresh identity that is not stored anywhere (tests, benchmarks).</summary>
    public static NodeIdentity CreateEphemeral() => new(NewKey(), keyFile: null);

    public byte[] Sign(ReadOnlySpan<byte> message) => Ed25519.Sign(_key, message);

    public static bool Verify(PeerId signer, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        Span<byte> raw = stackalloc byte[PeerId.Length];
        signer.CopyTo(raw);
        return PublicKey.TryImport(Ed25519, raw, KeyBlobFormat.RawPublicKey, out var publicKey)
            && publicKey is not null
            && Ed25519.Verify(publicKey, message, signature);
    }

    /// <summary>The private key as RFC 8410 PKCS#8 PEM, for the TLS stack. Handle with care.</summary>
    public string ExportPrivateKeyPem() => Encoding.ASCII.GetString(_key.Export(KeyBlobFormat.PkixPrivateKeyText));

    /// <summary>A new self-signed X.509 certificate for this key (PEM), valid from an hour ago for ten years.</summary>
    public string CreateCertificatePem(DateTimeOffset now)
        => SelfSignedCertificate.CreatePem(Id, $"hddfs {Name} {Id.Fingerprint}", now.AddHours(-1), now.AddYears(10), data => Sign(data));

    public void Dispose() => _key.Dispose();

    private static Key NewKey()
        => Key.Create(Ed25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });

    private static NodeIdentity Load(string path)
    {
        byte[] pem;
        try
        {
            pem = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new IdentityException($"Cannot read the identity key {path}: {ex.Message}. It was left untouched.", ex);
        }

        try
        {
            var key = Key.Import(Ed25519, pem, KeyBlobFormat.PkixPrivateKeyText,
                new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });
            return new NodeIdentity(key, path);
        }
        catch (FormatException ex)
        {
            throw new IdentityException(
                $"The identity key {path} is corrupt ({ex.Message}). It was left untouched: restore it from a backup, " +
                "or move it away to start over with a new identity (peers will then see a different key).", ex);
        }
    }

    private static NodeIdentity Create(string path)
    {
        var key = NewKey();
        try
        {
            var pem = key.Export(KeyBlobFormat.PkixPrivateKeyText);
            var temp = path + ".tmp-" + Environment.ProcessId;
            var options = new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            };
            using (var stream = new FileStream(temp, options))
            {
                stream.Write(pem);
                stream.Flush(flushToDisk: true);
            }

            // Publish atomically; never overwrite a key another process created meanwhile.
            try
            {
                File.Move(temp, path, overwrite: false);
            }
            catch (IOException) when (File.Exists(path))
            {
                File.Delete(temp);
                key.Dispose();
                return Load(path);
            }

            return new NodeIdentity(key, path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            key.Dispose();
            throw new IdentityException($"Cannot create the identity key {path}: {ex.Message}", ex);
        }
    }
}

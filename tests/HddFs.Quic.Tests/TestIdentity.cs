using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace HddFs.Quic.Tests;

/// <summary>A certificate and key made by GnuTLS's certtool (independent of the rest of hddfs).</summary>
public sealed record TestIdentity(string CertificatePem, string PrivateKeyPem, byte[] PublicKey)
{
    private static readonly Lazy<TestIdentity[]> Peers = new(() => [.. Enumerable.Range(0, 3).Select(_ => Create("ed25519"))]);
    private static readonly Lazy<TestIdentity> EcdsaIdentity = new(() => Create("ecdsa"));

    /// <summary>Distinct self-signed Ed25519 identities, made once per test run.</summary>
    public static TestIdentity Alice => Peers.Value[0];

    public static TestIdentity Bob => Peers.Value[1];

    public static TestIdentity Carol => Peers.Value[2];

    /// <summary>A self-signed ECDSA P-256 identity: valid X.509, wrong algorithm for us.</summary>
    public static TestIdentity Ecdsa => EcdsaIdentity.Value;

    /// <summary>This identity with one byte of the certificate's signature flipped.</summary>
    public TestIdentity WithBrokenSignature()
    {
        var der = PemToDer(CertificatePem);
        der[^1] ^= 0x01; // the last bytes of a certificate are its signature
        return this with { CertificatePem = PemEncoding.WriteString("CERTIFICATE", der) + "\n" };
    }

    public static TestIdentity Create(string keyType)
    {
        var dir = Path.Combine(Path.GetTempPath(), "hddfs-quic-certs-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var key = Path.Combine(dir, "key.pem");
            var cert = Path.Combine(dir, "cert.pem");
            var template = Path.Combine(dir, "cert.tmpl");
            File.WriteAllText(template, "cn = \"hddfs-quic-test\"\nserial = 1\nexpiration_days = 3650\nsigning_key\n");
            Certtool($"--generate-privkey --key-type={keyType} --no-text --outfile {key}");
            Certtool($"--generate-self-signed --load-privkey {key} --template {template} --no-text --outfile {cert}");
            var certPem = File.ReadAllText(cert);
            using var x509 = X509Certificate2.CreateFromPem(certPem);
            var spki = x509.PublicKey.ExportSubjectPublicKeyInfo();
            return new TestIdentity(certPem, File.ReadAllText(key), spki[^32..]);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    public static void Certtool(string arguments)
    {
        var psi = new ProcessStartInfo("certtool", arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"certtool {arguments} failed: {stderr.Result}");
        }
    }

    private static byte[] PemToDer(string pem)
    {
        var fields = PemEncoding.Find(pem);
        return Convert.FromBase64String(pem[fields.Base64Data]);
    }
}

using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using HddFs.Core;
using HddFs.Peers.Identity;
using HddFs.Testing;

namespace HddFs.Peers.Tests;

public sealed class IdentityTests
{
    [Fact]
    public void LoadOrCreate_FirstUse_CreatesKeyWith0600()
    {
        using var dir = new TempDirectory();
        var data = Path.Combine(dir.Path, "data");
        using var identity = NodeIdentity.LoadOrCreate(data);

        var keyFile = Path.Combine(data, NodeIdentity.KeyFileName);
        Assert.True(File.Exists(keyFile));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(data));
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", File.ReadAllText(keyFile), StringComparison.Ordinal);
    }

    [Fact]
    public void LoadOrCreate_SecondUse_SameKey()
    {
        using var dir = new TempDirectory();
        PeerId first;
        using (var identity = NodeIdentity.LoadOrCreate(dir.Path))
        {
            first = identity.Id;
        }

        using var again = NodeIdentity.LoadOrCreate(dir.Path);
        Assert.Equal(first, again.Id);
        Assert.Equal(PeerName.For(first), again.Name);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")]
    [InlineData("")]
    public void LoadOrCreate_CorruptKey_ClearErrorAndFileUntouched(string content)
    {
        using var dir = new TempDirectory();
        var keyFile = dir.WriteFile(NodeIdentity.KeyFileName, content);

        var ex = Assert.Throws<IdentityException>(() => NodeIdentity.LoadOrCreate(dir.Path));
        Assert.Contains("corrupt", ex.Message, StringComparison.Ordinal);
        Assert.Contains(keyFile, ex.Message, StringComparison.Ordinal);
        Assert.Equal(content, File.ReadAllText(keyFile));
    }

    [Fact]
    public void Sign_Verify_RoundTripAndTamper()
    {
        using var identity = NodeIdentity.CreateEphemeral();
        var message = "hello"u8.ToArray();
        var signature = identity.Sign(message);
        Assert.True(NodeIdentity.Verify(identity.Id, message, signature));
        signature[3] ^= 1;
        Assert.False(NodeIdentity.Verify(identity.Id, message, signature));
        using var other = NodeIdentity.CreateEphemeral();
        Assert.False(NodeIdentity.Verify(other.Id, message, identity.Sign(message)));
    }

    [Fact]
    public void Certificate_SelfSignatureVerifies_AndCarriesTheKey()
    {
        using var identity = NodeIdentity.CreateEphemeral();
        var der = SelfSignedCertificate.PemToDer(identity.CreateCertificatePem(DateTimeOffset.UtcNow));

        Assert.True(SelfSignedCertificate.TryGetVerifiedKey(der, out var key));
        Assert.Equal(identity.Id, key);

        using var parsed = X509CertificateLoader.LoadCertificate(der);
        Assert.Equal(SelfSignedCertificate.Ed25519Oid, parsed.PublicKey.Oid.Value);
        Assert.Equal(3, parsed.Version);
    }

    [Fact]
    public void Certificate_AnyFlippedByte_NotAccepted()
    {
        using var identity = NodeIdentity.CreateEphemeral();
        var der = SelfSignedCertificate.PemToDer(identity.CreateCertificatePem(DateTimeOffset.UtcNow));
        for (var i = 0; i < der.Length; i++)
        {
            var copy = (byte[])der.Clone();
            copy[i] ^= 0x01;
            if (SelfSignedCertificate.TryGetVerifiedKey(copy, out var key))
            {
                // A flip in a field the signature covers can never verify; only the outer
                // (unsigned) encoding could change harmlessly, and DER leaves no such room.
                Assert.Fail($"byte {i} flipped, still accepted with key {key}");
            }
        }
    }

    [Fact]
    public void Certificate_Garbage_NotAcceptedAndNoThrow()
    {
        var random = new Random(1234);
        for (var i = 0; i < 2000; i++)
        {
            var bytes = new byte[random.Next(0, 400)];
            random.NextBytes(bytes);
            Assert.False(SelfSignedCertificate.TryGetVerifiedKey(bytes, out _));
        }
    }

    [Fact]
    public void Certificate_GnuTlsCerttool_ParsesIt()
    {
        if (!TestEnvironment.HasProgram("certtool") && !TestEnvironment.IsCi)
        {
            return; // certtool (gnutls-bin) is installed by make test.
        }

        using var identity = NodeIdentity.CreateEphemeral();
        using var dir = new TempDirectory();
        var file = dir.WriteFile("cert.pem", identity.CreateCertificatePem(DateTimeOffset.UtcNow));
        var psi = new ProcessStartInfo("certtool", ["--certificate-info", "--infile", file]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(psi)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, output);
        Assert.Contains("EdDSA (Ed25519)", output, StringComparison.Ordinal);
        Assert.Contains("Version: 3", output, StringComparison.Ordinal);
    }
}

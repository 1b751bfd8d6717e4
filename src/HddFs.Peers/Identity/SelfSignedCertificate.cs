using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Text;
using HddFs.Core;

namespace HddFs.Peers.Identity;

/// <summary>
/// Builds and checks the self-signed X.509 v3 certificates peers present in the QUIC handshake
/// (RFC 5280 structure, RFC 8410 Ed25519 identifiers: OID 1.3.101.112, no parameters). The certificate
/// only carries the key: trust comes from the 32-byte public key inside, never from names or dates.
/// </summary>
public static class SelfSignedCertificate
{
    public const string Ed25519Oid = "1.3.101.112";
    private const string CommonNameOid = "2.5.4.3";
    private const string BasicConstraintsOid = "2.5.29.19";
    private const string KeyUsageOid = "2.5.29.15";

    /// <summary>DER of a certificate for <paramref name="key"/>, signed by <paramref name="sign"/> (which must
    /// hold the matching private key).</summary>
    public static byte[] CreateDer(PeerId key, string commonName, DateTimeOffset notBefore, DateTimeOffset notAfter, Func<byte[], byte[]> sign)
    {
        ArgumentNullException.ThrowIfNull(sign);
        var tbs = WriteTbs(key, commonName, notBefore, notAfter);
        var signature = sign(tbs);
        if (signature.Length != 64)
        {
            throw new CryptographicException("An Ed25519 signature is 64 bytes.");
        }

        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteEncodedValue(tbs);
            WriteEd25519AlgorithmIdentifier(writer);
            writer.WriteBitString(signature);
        }

        return writer.Encode();
    }

    public static string CreatePem(PeerId key, string commonName, DateTimeOffset notBefore, DateTimeOffset notAfter, Func<byte[], byte[]> sign)
        => new string(PemEncoding.Write("CERTIFICATE", CreateDer(key, commonName, notBefore, notAfter, sign))) + "\n";

    /// <summary>
    /// Parses a DER certificate and returns its Ed25519 key when the certificate is well formed, uses
    /// Ed25519 for both its key and its signature, and its self-signature verifies. Otherwise false.
    /// Never throws on malformed input.
    /// </summary>
    public static bool TryGetVerifiedKey(ReadOnlySpan<byte> der, out PeerId key)
    {
        key = default;
        try
        {
            var reader = new AsnReader(der.ToArray(), AsnEncodingRules.DER);
            var certificate = reader.ReadSequence();
            reader.ThrowIfNotEmpty();
            var tbsEncoded = certificate.ReadEncodedValue().ToArray();
            if (!ReadIsEd25519AlgorithmIdentifier(certificate))
            {
                return false;
            }

            var signature = certificate.ReadBitString(out var unused);
            certificate.ThrowIfNotEmpty();
            if (unused != 0 || signature.Length != 64)
            {
                return false;
            }

            var tbs = new AsnReader(tbsEncoded, AsnEncodingRules.DER).ReadSequence();
            if (tbs.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 0)))
            {
                tbs.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0));
            }

            tbs.ReadIntegerBytes();
            if (!ReadIsEd25519AlgorithmIdentifier(tbs))
            {
                return false;
            }

            tbs.ReadEncodedValue(); // issuer
            tbs.ReadSequence(); // validity: not checked, trust is in the key
            tbs.ReadEncodedValue(); // subject
            var spki = tbs.ReadSequence();
            if (!ReadIsEd25519AlgorithmIdentifier(spki))
            {
                return false;
            }

            var publicKey = spki.ReadBitString(out var keyUnused);
            spki.ThrowIfNotEmpty();
            if (keyUnused != 0 || publicKey.Length != PeerId.Length)
            {
                return false;
            }

            var candidate = new PeerId(publicKey);
            if (!NodeIdentity.Verify(candidate, tbsEncoded, signature))
            {
                return false;
            }

            key = candidate;
            return true;
        }
        catch (AsnContentException)
        {
            return false;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private static byte[] WriteTbs(PeerId key, string commonName, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0)))
            {
                writer.WriteInteger(2); // v3
            }

            var serial = RandomNumberGenerator.GetBytes(16);
            serial[0] &= 0x7F; // positive
            serial[0] |= 0x01; // and minimal (no leading zero byte)
            writer.WriteIntegerUnsigned(serial);
            WriteEd25519AlgorithmIdentifier(writer);
            WriteName(writer, commonName);
            using (writer.PushSequence())
            {
                WriteTime(writer, notBefore);
                WriteTime(writer, notAfter);
            }

            WriteName(writer, commonName);
            using (writer.PushSequence())
            {
                WriteEd25519AlgorithmIdentifier(writer);
                writer.WriteBitString(key.ToArray());
            }

            using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 3)))
            using (writer.PushSequence())
            {
                // basicConstraints: CA=false (empty sequence), critical.
                using (writer.PushSequence())
                {
                    writer.WriteObjectIdentifier(BasicConstraintsOid);
                    writer.WriteBoolean(true);
                    var inner = new AsnWriter(AsnEncodingRules.DER);
                    inner.PushSequence().Dispose();
                    writer.WriteOctetString(inner.Encode());
                }

                // keyUsage: digitalSignature, critical (TLS 1.3 CertificateVerify is all this key does).
                using (writer.PushSequence())
                {
                    writer.WriteObjectIdentifier(KeyUsageOid);
                    writer.WriteBoolean(true);
                    var inner = new AsnWriter(AsnEncodingRules.DER);
                    inner.WriteBitString([0x80], unusedBitCount: 7);
                    writer.WriteOctetString(inner.Encode());
                }
            }
        }

        return writer.Encode();
    }

    private static void WriteEd25519AlgorithmIdentifier(AsnWriter writer)
    {
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier(Ed25519Oid); // RFC 8410: parameters absent
        }
    }

    private static bool ReadIsEd25519AlgorithmIdentifier(AsnReader reader)
    {
        var algorithm = reader.ReadSequence();
        var oid = algorithm.ReadObjectIdentifier();
        return oid == Ed25519Oid && !algorithm.HasData;
    }

    private static void WriteName(AsnWriter writer, string commonName)
    {
        using (writer.PushSequence())
        using (writer.PushSetOf())
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier(CommonNameOid);
            writer.WriteCharacterString(UniversalTagNumber.UTF8String, commonName.Length > 64 ? commonName[..64] : commonName);
        }
    }

    private static void WriteTime(AsnWriter writer, DateTimeOffset time)
    {
        // RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050; whole seconds.
        var utc = new DateTimeOffset(time.UtcDateTime.Ticks - (time.UtcDateTime.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
        if (utc.Year < 2050)
        {
            writer.WriteUtcTime(utc);
        }
        else
        {
            writer.WriteGeneralizedTime(utc, omitFractionalSeconds: true);
        }
    }

    /// <summary>Decodes the first CERTIFICATE block of a PEM text.</summary>
    public static byte[] PemToDer(string pem)
    {
        var fields = PemEncoding.Find(pem);
        if (!pem.AsSpan()[fields.Label].SequenceEqual("CERTIFICATE"))
        {
            throw new FormatException("Not a CERTIFICATE PEM block.");
        }

        return Convert.FromBase64String(pem[fields.Base64Data].ToString());
    }
}

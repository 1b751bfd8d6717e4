using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using HddFs.Core;
using NSec.Cryptography;

namespace HddFs.Discovery.Announcements;

/// <summary>
/// The announcement wire format (sans I/O, no state; freshness and replays are
/// <see cref="AnnouncementReplayGuard"/>'s job).
///
/// Body (big-endian), then a 64-byte Ed25519 signature:
/// <code>
///  0  u8   version = 1
///  1  u8   flags: bit 0 = goodbye; other bits must be 0
///  2  [32] peer key (the Ed25519 public key that signs)
/// 34  i64  timestamp, unix ms
/// 42  u64  sequence (per process, increasing; breaks ties within one ms)
/// 50  u16  valid-for seconds (1..3600; 0 only on a goodbye)
/// 52  u8   NAT type (0..3)
/// 53  u16  UDP port (1..65535)
/// 55  u8   endpoint count n (0..16)
/// 56  n × { u8 kind (0x04 IPv4 | 0x06 IPv6, +0x80 when STUN-observed public), [4|16] address, u16 port }
/// </code>
/// Signed message: "hddfs/announcement/v1" 0x00 purpose 0x00 rendezvous-id body — so a signature is
/// bound to one topic and one mechanism and cannot be replayed into another.
/// Sealed: nonce[12] ‖ ChaCha20-Poly1305(key = topic.Derive(purpose), nonce, body ‖ signature,
/// AAD = rendezvous id as ASCII) ‖ tag[16]. Outsiders see only random-looking bytes of a length.
/// </summary>
internal static class AnnouncementCodec
{
    public const byte Version = 1;
    public const int NonceLength = 12;
    public const int TagLength = 16;
    public const int SignatureLength = 64;
    public const int FixedBodyLength = 56;
    public const int MaxEndpoints = LocalAnnouncement.MaxEndpoints;
    public const int MaxEndpointLength = 1 + 16 + 2;
    public const int MinSealedLength = NonceLength + FixedBodyLength + SignatureLength + TagLength;
    public const int MaxSealedLength = MinSealedLength + (MaxEndpoints * MaxEndpointLength);
    public static readonly TimeSpan MaxValidFor = TimeSpan.FromHours(1);

    private const byte GoodbyeFlag = 0x01;
    private const byte PublicKind = 0x80;
    private static readonly byte[] SignaturePrefix = Encoding.ASCII.GetBytes("hddfs/announcement/v1\0");

    /// <summary>Encodes, signs with <paramref name="signer"/> and encrypts for <paramref name="topic"/>.</summary>
    public static byte[] Seal(Announcement announcement, ISigner signer, TopicKey topic, AnnouncementPurpose purpose)
    {
        ArgumentNullException.ThrowIfNull(announcement);
        ArgumentNullException.ThrowIfNull(signer);
        ArgumentNullException.ThrowIfNull(topic);
        var body = EncodeBody(announcement);
        var signature = signer.Sign(SignedMessage(body, topic, purpose));
        if (signature.Length != SignatureLength)
        {
            throw new InvalidOperationException($"An Ed25519 signature is {SignatureLength} bytes, the signer gave {signature.Length}.");
        }

        var plaintext = new byte[body.Length + SignatureLength];
        body.CopyTo(plaintext, 0);
        signature.CopyTo(plaintext, body.Length);

        var sealedBytes = new byte[NonceLength + plaintext.Length + TagLength];
        var nonce = sealedBytes.AsSpan(0, NonceLength);
        RandomNumberGenerator.Fill(nonce);
        var key = topic.Derive(purpose.Label);
        try
        {
            using var aead = new System.Security.Cryptography.ChaCha20Poly1305(key);
            aead.Encrypt(nonce, plaintext, sealedBytes.AsSpan(NonceLength, plaintext.Length), sealedBytes.AsSpan(NonceLength + plaintext.Length), Aad(topic));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }

        return sealedBytes;
    }

    /// <summary>
    /// Decrypts, parses strictly and verifies the signature. Never throws on hostile input: returns
    /// the reason it was rejected, or <see cref="AnnouncementRejection.None"/> with the announcement.
    /// </summary>
    public static AnnouncementRejection TryOpen(ReadOnlySpan<byte> sealedBytes, TopicKey topic, AnnouncementPurpose purpose, out Announcement? announcement)
    {
        ArgumentNullException.ThrowIfNull(topic);
        announcement = null;
        if (sealedBytes.Length < MinSealedLength || sealedBytes.Length > MaxSealedLength)
        {
            return AnnouncementRejection.Malformed;
        }

        var plaintextLength = sealedBytes.Length - NonceLength - TagLength;
        Span<byte> plaintext = stackalloc byte[MaxSealedLength];
        plaintext = plaintext[..plaintextLength];
        var key = topic.Derive(purpose.Label);
        try
        {
            using var aead = new System.Security.Cryptography.ChaCha20Poly1305(key);
            aead.Decrypt(
                sealedBytes[..NonceLength],
                sealedBytes.Slice(NonceLength, plaintextLength),
                sealedBytes[(NonceLength + plaintextLength)..],
                plaintext,
                Aad(topic));
        }
        catch (AuthenticationTagMismatchException)
        {
            return AnnouncementRejection.Undecryptable;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }

        var body = plaintext[..^SignatureLength];
        var signature = plaintext[^SignatureLength..];
        if (!TryDecodeBody(body, out var parsed))
        {
            return AnnouncementRejection.Malformed;
        }

        Span<byte> peerKey = stackalloc byte[PeerId.Length];
        parsed.Peer.CopyTo(peerKey);
        if (!PublicKey.TryImport(SignatureAlgorithm.Ed25519, peerKey, KeyBlobFormat.RawPublicKey, out var publicKey)
            || publicKey is null
            || !SignatureAlgorithm.Ed25519.Verify(publicKey, SignedMessage(body, topic, purpose), signature))
        {
            return AnnouncementRejection.BadSignature;
        }

        announcement = parsed;
        return AnnouncementRejection.None;
    }

    internal static byte[] EncodeBody(Announcement a)
    {
        if (a.Endpoints.Count > MaxEndpoints)
        {
            throw new ArgumentException($"At most {MaxEndpoints} endpoints.", nameof(a));
        }

        if (a.ValidFor < TimeSpan.Zero || a.ValidFor > MaxValidFor || (a.ValidFor < TimeSpan.FromSeconds(1) && !a.IsGoodbye))
        {
            throw new ArgumentException("ValidFor must be 1 s..1 h (0 only on a goodbye).", nameof(a));
        }

        if (a.Port == 0)
        {
            throw new ArgumentException("Port must not be 0.", nameof(a));
        }

        var buffer = new byte[FixedBodyLength + (a.Endpoints.Count * MaxEndpointLength)];
        var span = buffer.AsSpan();
        span[0] = Version;
        span[1] = a.IsGoodbye ? GoodbyeFlag : (byte)0;
        a.Peer.CopyTo(span[2..34]);
        BinaryPrimitives.WriteInt64BigEndian(span[34..], a.TimestampMs);
        BinaryPrimitives.WriteUInt64BigEndian(span[42..], a.Sequence);
        BinaryPrimitives.WriteUInt16BigEndian(span[50..], (ushort)a.ValidFor.TotalSeconds);
        span[52] = (byte)a.Nat;
        BinaryPrimitives.WriteUInt16BigEndian(span[53..], a.Port);
        span[55] = (byte)a.Endpoints.Count;
        var offset = FixedBodyLength;
        foreach (var (endPoint, isPublic) in a.Endpoints)
        {
            var address = endPoint.Address.IsIPv4MappedToIPv6 ? endPoint.Address.MapToIPv4() : endPoint.Address;
            var kind = address.AddressFamily == AddressFamily.InterNetwork ? (byte)0x04 : (byte)0x06;
            span[offset++] = (byte)(kind | (isPublic ? PublicKind : 0));
            if (!address.TryWriteBytes(span[offset..], out var written))
            {
                throw new ArgumentException("Unwritable address.", nameof(a));
            }

            offset += written;
            BinaryPrimitives.WriteUInt16BigEndian(span[offset..], (ushort)endPoint.Port);
            offset += 2;
        }

        return buffer[..offset];
    }

    internal static bool TryDecodeBody(ReadOnlySpan<byte> body, out Announcement announcement)
    {
        announcement = null!;
        if (body.Length < FixedBodyLength || body[0] != Version || (body[1] & ~GoodbyeFlag) != 0)
        {
            return false;
        }

        var goodbye = (body[1] & GoodbyeFlag) != 0;
        var peer = new PeerId(body[2..34]);
        var timestamp = BinaryPrimitives.ReadInt64BigEndian(body[34..]);
        var sequence = BinaryPrimitives.ReadUInt64BigEndian(body[42..]);
        var validSeconds = BinaryPrimitives.ReadUInt16BigEndian(body[50..]);
        var nat = body[52];
        var port = BinaryPrimitives.ReadUInt16BigEndian(body[53..]);
        var count = body[55];
        if (timestamp <= 0
            || validSeconds > MaxValidFor.TotalSeconds
            || (validSeconds == 0 && !goodbye)
            || nat > (byte)NatType.Symmetric
            || port == 0
            || count > MaxEndpoints)
        {
            return false;
        }

        var endpoints = new List<AnnouncedEndpoint>(count);
        var rest = body[FixedBodyLength..];
        for (var i = 0; i < count; i++)
        {
            if (rest.Length < 1)
            {
                return false;
            }

            var kind = rest[0];
            var length = (kind & ~PublicKind) switch
            {
                0x04 => 4,
                0x06 => 16,
                _ => -1,
            };
            if (length < 0 || rest.Length < 1 + length + 2)
            {
                return false;
            }

            var address = new IPAddress(rest.Slice(1, length));
            var endpointPort = BinaryPrimitives.ReadUInt16BigEndian(rest[(1 + length)..]);
            if (endpointPort == 0 || !IsUsableUnicast(address))
            {
                return false;
            }

            endpoints.Add(new AnnouncedEndpoint(new IPEndPoint(address, endpointPort), (kind & PublicKind) != 0));
            rest = rest[(1 + length + 2)..];
        }

        if (!rest.IsEmpty)
        {
            return false; // strict: nothing may trail the endpoint list
        }

        announcement = new Announcement(peer, timestamp, sequence, goodbye, TimeSpan.FromSeconds(validSeconds), (NatType)nat, port, endpoints);
        return true;
    }

    internal static byte[] SignedMessage(ReadOnlySpan<byte> body, TopicKey topic, AnnouncementPurpose purpose)
    {
        var label = Encoding.ASCII.GetBytes(purpose.Label);
        var rendezvous = Aad(topic);
        var message = new byte[SignaturePrefix.Length + label.Length + 1 + rendezvous.Length + body.Length];
        var span = message.AsSpan();
        SignaturePrefix.CopyTo(span);
        span = span[SignaturePrefix.Length..];
        label.CopyTo(span);
        span[label.Length] = 0;
        span = span[(label.Length + 1)..];
        rendezvous.CopyTo(span);
        body.CopyTo(span[rendezvous.Length..]);
        return message;
    }

    private static byte[] Aad(TopicKey topic) => Encoding.ASCII.GetBytes(topic.RendezvousId);

    private static bool IsUsableUnicast(IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var first = address.GetAddressBytes()[0];
            return !address.Equals(IPAddress.Any) && !address.Equals(IPAddress.Broadcast) && first is < 224;
        }

        return !address.Equals(IPAddress.IPv6Any) && !address.IsIPv6Multicast && !address.IsIPv4MappedToIPv6;
    }
}

/// <summary>Which mechanism an announcement is for: names the sub-key and the signature context.</summary>
internal sealed class AnnouncementPurpose
{
    public static readonly AnnouncementPurpose Mqtt = new("announce");
    public static readonly AnnouncementPurpose Mdns = new("mdns");

    private AnnouncementPurpose(string label) => Label = label;

    /// <summary>The TopicKey.Derive label; also part of the signed message.</summary>
    public string Label { get; }

    public override string ToString() => Label;
}

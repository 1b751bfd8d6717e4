using System.Net;
using System.Net.Sockets;
using HddFs.Core;
using HddFs.Protocol.Wire;

namespace HddFs.Protocol;

/// <summary>
/// Where a peer can be reached, for gossip. Signatures are added by the caller around the encoded
/// frame: sign <see cref="GetBytesToSign"/>. The encoding is canonical (one byte form per value, no
/// ignored bits), so re-encoding a decoded announce gives back the exact bytes that were signed.
/// </summary>
/// <param name="Addresses">0..<see cref="MaxAddresses"/> IPv4 or IPv6 endpoints, port ≠ 0, no IPv6 scope id
/// (a scope is meaningless off the sender's link; callers filter link-local addresses out).</param>
/// <param name="NatType">Opaque to this layer; HddFs.Discovery defines the values.</param>
public sealed record Announce(PeerId Peer, IReadOnlyList<IPEndPoint> Addresses, byte NatType, long TimestampUnixMs) : Message
{
    public const int MaxAddresses = 16;

    private const byte Family4 = 4;
    private const byte Family6 = 6;

    // type u8, flags u8, peer 32, nat u8, timestamp i64, address count u8
    private const int FixedLength = 1 + 1 + PeerId.Length + 1 + 8 + 1;

    public override MessageType Type => MessageType.Announce;

    public bool Equals(Announce? other)
        => other is not null && Peer == other.Peer && NatType == other.NatType
            && TimestampUnixMs == other.TimestampUnixMs && Addresses.SequenceEqual(other.Addresses);

    public override int GetHashCode() => HashCode.Combine(Peer, NatType, TimestampUnixMs, Addresses.Count);

    /// <summary>"hddfs-announce-v1" followed by the encoded frame: the bytes a signature covers.
    /// The prefix keeps an announce signature from being valid for any other use of the key.</summary>
    public byte[] GetBytesToSign()
    {
        var context = "hddfs-announce-v1"u8;
        var frameLength = FrameWriter.GetFrameLength(this);
        var bytes = new byte[context.Length + frameLength];
        context.CopyTo(bytes);
        FrameWriter.Write(bytes.AsSpan(context.Length), this);
        return bytes;
    }

    internal override int MeasureBody()
    {
        ArgumentNullException.ThrowIfNull(Addresses, nameof(Addresses));
        if (Peer.IsEmpty)
        {
            throw new ArgumentException("An announce needs a peer key.", nameof(Peer));
        }

        if (Addresses.Count > MaxAddresses)
        {
            throw new ArgumentException($"An announce carries at most {MaxAddresses} addresses, got {Addresses.Count}.");
        }

        var length = FixedLength;
        for (var i = 0; i < Addresses.Count; i++)
        {
            var endPoint = Addresses[i];
            ArgumentNullException.ThrowIfNull(endPoint, nameof(Addresses));
            if (endPoint.Port == 0)
            {
                throw new ArgumentException("Announced addresses need a port.", nameof(Addresses));
            }

            length += endPoint.AddressFamily switch
            {
                AddressFamily.InterNetwork => 1 + 4 + 2,
                AddressFamily.InterNetworkV6 when endPoint.Address.ScopeId == 0 => 1 + 16 + 2,
                AddressFamily.InterNetworkV6 => throw new ArgumentException("Announced IPv6 addresses carry no scope id.", nameof(Addresses)),
                _ => throw new ArgumentException("Announced addresses are IPv4 or IPv6.", nameof(Addresses)),
            };
        }

        return length;
    }

    internal override void WriteFields(ref BodyWriter writer)
    {
        writer.WriteByte(0); // flags: none defined in version 1
        Span<byte> scratch = stackalloc byte[PeerId.Length];
        Peer.CopyTo(scratch);
        writer.WriteBytes(scratch);
        writer.WriteByte(NatType);
        writer.WriteInt64(TimestampUnixMs);
        writer.WriteByte((byte)Addresses.Count);
        for (var i = 0; i < Addresses.Count; i++)
        {
            var endPoint = Addresses[i];
            var v4 = endPoint.AddressFamily == AddressFamily.InterNetwork;
            writer.WriteByte(v4 ? Family4 : Family6);
            if (!endPoint.Address.TryWriteBytes(scratch, out var written) || written != (v4 ? 4 : 16))
            {
                throw new InvalidOperationException("Address changed while being encoded.");
            }

            writer.WriteBytes(scratch[..written]);
            writer.WriteUInt16((ushort)endPoint.Port);
        }
    }

    internal static Announce Decode(ref BodyReader reader)
    {
        var flags = reader.ReadByte("flags");
        if (flags != 0)
        {
            throw reader.Invalid($"has reserved flag bits set (0x{flags:x2}).");
        }

        var peer = new PeerId(reader.ReadBytes(PeerId.Length, "peer"));
        if (peer.IsEmpty)
        {
            throw reader.Invalid("peer key is all zeros.");
        }

        var natType = reader.ReadByte("nat type");
        var timestamp = reader.ReadInt64("timestamp");
        var count = reader.ReadByte("address count");
        if (count > MaxAddresses)
        {
            throw reader.Invalid($"has {count} addresses, above the limit of {MaxAddresses}.");
        }

        var addresses = new IPEndPoint[count];
        for (var i = 0; i < count; i++)
        {
            var family = reader.ReadByte("address family");
            var addressLength = family switch
            {
                Family4 => 4,
                Family6 => 16,
                _ => throw reader.Invalid($"address {i} has unknown family {family}."),
            };
            var address = new IPAddress(reader.ReadBytes(addressLength, "address"));
            var port = reader.ReadUInt16("port");
            if (port == 0)
            {
                throw reader.Invalid($"address {i} has port 0.");
            }

            addresses[i] = new IPEndPoint(address, port);
        }

        reader.ExpectEnd();
        return new Announce(peer, addresses, natType, timestamp);
    }
}

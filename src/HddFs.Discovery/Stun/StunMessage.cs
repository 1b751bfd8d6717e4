using System.Buffers.Binary;
using System.Net;

namespace HddFs.Discovery.Stun;

/// <summary>
/// RFC 5389 Binding request/response encoding (sans I/O). Only what a client needs: build a request,
/// parse a response strictly (header, length, cookie, attribute bounds) and extract the mapped
/// address — XOR-MAPPED-ADDRESS preferred, MAPPED-ADDRESS (RFC 3489 servers) as fallback.
/// Unknown attributes are skipped (lenient on purpose: old servers send comprehension-required
/// RFC 3489 attributes such as SOURCE-ADDRESS).
/// </summary>
internal static class StunMessage
{
    public const uint MagicCookie = 0x2112A442;
    public const int HeaderLength = 20;
    public const int TransactionIdLength = 12;
    public const ushort BindingRequest = 0x0001;
    public const ushort BindingSuccess = 0x0101;
    public const ushort BindingError = 0x0111;
    public const ushort MappedAddress = 0x0001;
    public const ushort XorMappedAddress = 0x0020;
    public const ushort ErrorCode = 0x0009;

    public static byte[] BuildBindingRequest(ReadOnlySpan<byte> transactionId)
    {
        if (transactionId.Length != TransactionIdLength)
        {
            throw new ArgumentException("A STUN transaction id is 12 bytes.", nameof(transactionId));
        }

        var message = new byte[HeaderLength];
        BinaryPrimitives.WriteUInt16BigEndian(message, BindingRequest);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(2), 0);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(4), MagicCookie);
        transactionId.CopyTo(message.AsSpan(8));
        return message;
    }

    /// <summary>Header checks only: a STUN message (RFC 5389 §6) with a transaction id.</summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> message, out ushort type, out ReadOnlySpan<byte> transactionId)
    {
        type = 0;
        transactionId = default;
        if (message.Length < HeaderLength || (message[0] & 0xC0) != 0)
        {
            return false;
        }

        var length = BinaryPrimitives.ReadUInt16BigEndian(message[2..]);
        if (length != message.Length - HeaderLength || length % 4 != 0 || BinaryPrimitives.ReadUInt32BigEndian(message[4..]) != MagicCookie)
        {
            return false;
        }

        type = BinaryPrimitives.ReadUInt16BigEndian(message);
        transactionId = message.Slice(8, TransactionIdLength);
        return true;
    }

    /// <summary>
    /// Parses a Binding response. True with <paramref name="mapped"/> for a success response carrying
    /// an address; true with <paramref name="errorCode"/> set for an error response; false for anything
    /// malformed.
    /// </summary>
    public static bool TryParseBindingResponse(ReadOnlySpan<byte> message, out IPEndPoint? mapped, out int errorCode)
    {
        mapped = null;
        errorCode = 0;
        if (!TryReadHeader(message, out var type, out var transactionId) || type is not (BindingSuccess or BindingError))
        {
            return false;
        }

        IPEndPoint? xorMapped = null;
        IPEndPoint? plainMapped = null;
        var rest = message[HeaderLength..];
        while (!rest.IsEmpty)
        {
            if (rest.Length < 4)
            {
                return false;
            }

            var attributeType = BinaryPrimitives.ReadUInt16BigEndian(rest);
            var length = BinaryPrimitives.ReadUInt16BigEndian(rest[2..]);
            var padded = (length + 3) & ~3;
            if (padded > rest.Length - 4)
            {
                return false;
            }

            var value = rest.Slice(4, length);
            switch (attributeType)
            {
                case XorMappedAddress:
                    if (!TryReadAddress(value, transactionId, xor: true, out xorMapped))
                    {
                        return false;
                    }

                    break;
                case MappedAddress:
                    if (!TryReadAddress(value, transactionId, xor: false, out plainMapped))
                    {
                        return false;
                    }

                    break;
                case ErrorCode:
                    if (value.Length < 4)
                    {
                        return false;
                    }

                    errorCode = ((value[2] & 0x07) * 100) + value[3];
                    break;
            }

            rest = rest[(4 + padded)..];
        }

        if (type == BindingError)
        {
            errorCode = errorCode == 0 ? 500 : errorCode;
            return true;
        }

        mapped = xorMapped ?? plainMapped;
        return mapped is not null;
    }

    private static bool TryReadAddress(ReadOnlySpan<byte> value, ReadOnlySpan<byte> transactionId, bool xor, out IPEndPoint? endPoint)
    {
        endPoint = null;
        if (value.Length < 4)
        {
            return false;
        }

        var family = value[1];
        var addressLength = family switch
        {
            0x01 => 4,
            0x02 => 16,
            _ => -1,
        };
        if (addressLength < 0 || value.Length != 4 + addressLength)
        {
            return false;
        }

        var port = BinaryPrimitives.ReadUInt16BigEndian(value[2..]);
        Span<byte> address = stackalloc byte[addressLength];
        value.Slice(4, addressLength).CopyTo(address);
        if (xor)
        {
            port ^= (ushort)(MagicCookie >> 16);
            Span<byte> pad = stackalloc byte[16];
            BinaryPrimitives.WriteUInt32BigEndian(pad, MagicCookie);
            transactionId.CopyTo(pad[4..]);
            for (var i = 0; i < addressLength; i++)
            {
                address[i] ^= pad[i];
            }
        }

        if (port == 0)
        {
            return false;
        }

        endPoint = new IPEndPoint(new IPAddress(address), port);
        return true;
    }
}

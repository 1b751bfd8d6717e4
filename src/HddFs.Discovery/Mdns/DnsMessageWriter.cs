using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace HddFs.Discovery.Mdns;

/// <summary>
/// Serializes a <see cref="DnsMessage"/> with name compression (RFC 1035 §4.1.4): every name suffix
/// already written at an offset below 0x4000 is replaced by a pointer to it. Throws
/// <see cref="InvalidOperationException"/> when the message would exceed <c>maxLength</c>.
/// </summary>
internal sealed class DnsMessageWriter
{
    private readonly byte[] _buffer;
    private readonly Dictionary<string, int> _suffixes = new(StringComparer.Ordinal);
    private int _length;

    private DnsMessageWriter(int maxLength) => _buffer = new byte[maxLength];

    public static byte[] Write(DnsMessage message, int maxLength = DnsMessageReader.MaxMessageLength)
    {
        ArgumentNullException.ThrowIfNull(message);
        var w = new DnsMessageWriter(maxLength);
        w.UInt16(message.Id);
        w.UInt16(message.Flags);
        w.UInt16(checked((ushort)message.Questions.Count));
        w.UInt16(checked((ushort)message.Answers.Count));
        w.UInt16(checked((ushort)message.Authorities.Count));
        w.UInt16(checked((ushort)message.Additionals.Count));
        foreach (var q in message.Questions)
        {
            w.Name(q.Name);
            w.UInt16((ushort)q.Type);
            w.UInt16((ushort)(q.Class | (q.UnicastResponse ? 0x8000 : 0)));
        }

        foreach (var r in message.Answers.Concat(message.Authorities).Concat(message.Additionals))
        {
            w.Record(r);
        }

        return w._buffer[..w._length];
    }

    private void Record(DnsRecord r)
    {
        Name(r.Name);
        UInt16((ushort)r.Type);
        UInt16((ushort)(r.Class | (r.CacheFlush ? 0x8000 : 0)));
        UInt32(r.Ttl);
        var lengthAt = _length;
        UInt16(0);
        var start = _length;
        switch (r.Data)
        {
            case DnsAddressData a:
                var expected = r.Type == DnsType.A ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6;
                if (a.Address.AddressFamily != expected)
                {
                    throw new InvalidOperationException($"{r.Type} record with a {a.Address.AddressFamily} address");
                }

                Bytes(a.Address.GetAddressBytes());
                break;
            case DnsPtrData p:
                Name(p.Target);
                break;
            case DnsSrvData s:
                UInt16(s.Priority);
                UInt16(s.Weight);
                UInt16(s.Port);
                Name(s.Target); // compression in SRV targets is allowed in mDNS (RFC 6762 §18.14)
                break;
            case DnsTxtData t:
                if (t.Strings.Count == 0)
                {
                    Byte(0); // RFC 6763 §6.1: an empty TXT record holds one empty string
                }

                foreach (var str in t.Strings)
                {
                    if (str.Length > 255)
                    {
                        throw new InvalidOperationException("TXT string over 255 bytes");
                    }

                    Byte((byte)str.Length);
                    Bytes(str);
                }

                break;
            case DnsOpaqueData o:
                Bytes(o.Bytes);
                break;
            default:
                throw new InvalidOperationException("unknown record data");
        }

        BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(lengthAt), checked((ushort)(_length - start)));
    }

    private void Name(DnsName name)
    {
        for (var i = 0; i < name.Labels.Count; i++)
        {
            var key = name.SuffixKey(i);
            if (_suffixes.TryGetValue(key, out var at))
            {
                UInt16((ushort)(0xC000 | at));
                return;
            }

            if (_length < 0x4000)
            {
                _suffixes[key] = _length;
            }

            var label = Encoding.UTF8.GetBytes(name.Labels[i]);
            Byte((byte)label.Length);
            Bytes(label);
        }

        Byte(0);
    }

    private void Ensure(int count)
    {
        if (_length + count > _buffer.Length)
        {
            throw new InvalidOperationException($"DNS message over {_buffer.Length} bytes");
        }
    }

    private void Byte(byte value)
    {
        Ensure(1);
        _buffer[_length++] = value;
    }

    private void Bytes(ReadOnlySpan<byte> value)
    {
        Ensure(value.Length);
        value.CopyTo(_buffer.AsSpan(_length));
        _length += value.Length;
    }

    private void UInt16(ushort value)
    {
        Ensure(2);
        BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(_length), value);
        _length += 2;
    }

    private void UInt32(uint value)
    {
        Ensure(4);
        BinaryPrimitives.WriteUInt32BigEndian(_buffer.AsSpan(_length), value);
        _length += 4;
    }
}

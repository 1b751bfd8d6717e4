using System.Net;

namespace HddFs.Discovery.Mdns;

/// <summary>The record types mDNS/DNS-SD uses here (RFC 1035, 2782, 3596, 6763).</summary>
internal enum DnsType : ushort
{
    A = 1,
    Ptr = 12,
    Txt = 16,
    Aaaa = 28,
    Srv = 33,
    Nsec = 47,
    Any = 255,
}

/// <summary>A question; in mDNS the top bit of the class asks for a unicast response (RFC 6762 §5.4).</summary>
internal sealed record DnsQuestion(DnsName Name, DnsType Type, bool UnicastResponse = false, ushort Class = DnsMessage.ClassIn);

/// <summary>A resource record; in mDNS the top bit of the class is cache-flush (RFC 6762 §10.2).</summary>
internal sealed record DnsRecord(DnsName Name, DnsType Type, uint Ttl, DnsRecordData Data, bool CacheFlush = false, ushort Class = DnsMessage.ClassIn);

internal abstract record DnsRecordData;

/// <summary>A or AAAA.</summary>
internal sealed record DnsAddressData(IPAddress Address) : DnsRecordData;

internal sealed record DnsPtrData(DnsName Target) : DnsRecordData;

internal sealed record DnsSrvData(ushort Priority, ushort Weight, ushort Port, DnsName Target) : DnsRecordData;

/// <summary>TXT: a list of character-strings (each at most 255 bytes, binary allowed; RFC 6763 §6).</summary>
internal sealed record DnsTxtData(IReadOnlyList<byte[]> Strings) : DnsRecordData;

/// <summary>Any other type, kept as its raw RDATA.</summary>
internal sealed record DnsOpaqueData(byte[] Bytes) : DnsRecordData;

/// <summary>A whole DNS message as mDNS uses it (RFC 6762 §18: ID 0, QR, AA; no recursion).</summary>
internal sealed record DnsMessage(
    ushort Id,
    ushort Flags,
    IReadOnlyList<DnsQuestion> Questions,
    IReadOnlyList<DnsRecord> Answers,
    IReadOnlyList<DnsRecord> Authorities,
    IReadOnlyList<DnsRecord> Additionals)
{
    public const ushort ClassIn = 1;
    public const ushort FlagResponse = 0x8000;
    public const ushort FlagAuthoritative = 0x0400;
    public const ushort FlagTruncated = 0x0200;

    public bool IsResponse => (Flags & FlagResponse) != 0;

    public int Opcode => (Flags >> 11) & 0xF;

    public int ResponseCode => Flags & 0xF;

    /// <summary>Answers and additionals (what a querier caches).</summary>
    public IEnumerable<DnsRecord> AllRecords => Answers.Concat(Additionals);

    public static DnsMessage Query(IReadOnlyList<DnsQuestion> questions, IReadOnlyList<DnsRecord>? knownAnswers = null)
        => new(0, 0, questions, knownAnswers ?? [], [], []);

    public static DnsMessage Response(IReadOnlyList<DnsRecord> answers, IReadOnlyList<DnsRecord>? additionals = null, ushort id = 0, IReadOnlyList<DnsQuestion>? questions = null)
        => new(id, FlagResponse | FlagAuthoritative, questions ?? [], answers, [], additionals ?? []);
}

/// <summary>Thrown by <see cref="DnsMessageReader"/> for anything that is not a well-formed message.
/// The only exception the parser lets out.</summary>
internal sealed class DnsFormatException(string message) : Exception(message);

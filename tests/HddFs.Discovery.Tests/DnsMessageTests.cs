using System.Diagnostics;
using System.Net;
using System.Text;
using HddFs.Discovery.Mdns;

namespace HddFs.Discovery.Tests;

public sealed class DnsMessageTests
{
    private static readonly DnsName Instance = MdnsRecords.Service.Prepend("0123456789ab");
    private static readonly DnsName Host = DnsName.Parse("ba9876543210.local");

    private static DnsMessage Sample() => DnsMessage.Response(
        [new DnsRecord(MdnsRecords.Service, DnsType.Ptr, 120, new DnsPtrData(Instance))],
        [
            new DnsRecord(Instance, DnsType.Srv, 120, new DnsSrvData(0, 0, 4433, Host), CacheFlush: true),
            new DnsRecord(Instance, DnsType.Txt, 120, new DnsTxtData([Encoding.ASCII.GetBytes("v=1"), [(byte)'t', (byte)'0', (byte)'=', 0, 255, 61]]), CacheFlush: true),
            new DnsRecord(Host, DnsType.A, 120, new DnsAddressData(IPAddress.Parse("10.0.0.2")), CacheFlush: true),
            new DnsRecord(Host, DnsType.Aaaa, 120, new DnsAddressData(IPAddress.Parse("fe80::1")), CacheFlush: true),
            new DnsRecord(Host, DnsType.Nsec, 120, new DnsOpaqueData([1, 2, 3])),
        ]);

    [Fact]
    public void WriteThenParse_EveryRecordType_RoundTrips()
    {
        var bytes = DnsMessageWriter.Write(Sample());

        var parsed = DnsMessageReader.Parse(bytes);

        Assert.True(parsed.IsResponse);
        Assert.Equal(DnsMessage.FlagResponse | DnsMessage.FlagAuthoritative, parsed.Flags);
        Assert.Equal(Instance, ((DnsPtrData)Assert.Single(parsed.Answers).Data).Target);
        var srv = (DnsSrvData)parsed.Additionals[0].Data;
        Assert.Equal((ushort)4433, srv.Port);
        Assert.Equal(Host, srv.Target);
        Assert.True(parsed.Additionals[0].CacheFlush);
        Assert.Equal(DnsMessage.ClassIn, parsed.Additionals[0].Class);
        var txt = (DnsTxtData)parsed.Additionals[1].Data;
        Assert.Equal([0, 255, 61], MdnsRecords.TopicEntries(txt).Single());
        Assert.Equal(IPAddress.Parse("10.0.0.2"), ((DnsAddressData)parsed.Additionals[2].Data).Address);
        Assert.Equal(IPAddress.Parse("fe80::1"), ((DnsAddressData)parsed.Additionals[3].Data).Address);
        Assert.Equal([1, 2, 3], ((DnsOpaqueData)parsed.Additionals[4].Data).Bytes);
    }

    [Fact]
    public void Write_RepeatedNames_AreCompressed()
    {
        var bytes = DnsMessageWriter.Write(Sample());

        // "_hddfs._udp.local" written once; the instance, SRV target and host names point into it.
        Assert.Equal(1, CountOccurrences(bytes, Encoding.ASCII.GetBytes("_hddfs")));
        Assert.Equal(1, CountOccurrences(bytes, Encoding.ASCII.GetBytes("0123456789ab")));
        Assert.True(bytes.Length < 220, $"{bytes.Length} bytes");
    }

    [Fact]
    public void Parse_NamesCompareCaseInsensitively()
    {
        var query = DnsMessageWriter.Write(DnsMessage.Query([new DnsQuestion(DnsName.Parse("_HDDFS._UDP.Local"), DnsType.Ptr, UnicastResponse: true)]));

        var q = Assert.Single(DnsMessageReader.Parse(query).Questions);

        Assert.Equal(MdnsRecords.Service, q.Name);
        Assert.True(q.UnicastResponse);
        Assert.Equal(DnsMessage.ClassIn, q.Class);
    }

    [Fact]
    public void Parse_HandBuiltQuery_MatchesWireFormat()
    {
        // ID 0, flags 0, 1 question: _hddfs._udp.local PTR, class IN with the QU bit.
        var bytes = Convert.FromHexString("000000000001000000000000" + "065f6864646673045f756470056c6f63616c00" + "000c8001");

        var q = Assert.Single(DnsMessageReader.Parse(bytes).Questions);

        Assert.Equal("_hddfs._udp.local.", q.Name.ToString());
        Assert.Equal(DnsType.Ptr, q.Type);
        Assert.True(q.UnicastResponse);
        Assert.Equal(bytes, DnsMessageWriter.Write(DnsMessage.Query([new DnsQuestion(MdnsRecords.Service, DnsType.Ptr, true)])));
    }

    [Theory]
    [InlineData("c00c", "pointer to itself")]
    [InlineData("c00e", "pointer forward")]
    [InlineData("0161c00c", "jump back, read forward, meet the same pointer")]
    [InlineData("0161c00e", "pointer into its own label run")]
    [InlineData("4161", "reserved label type 01")]
    [InlineData("8161", "reserved label type 10")]
    [InlineData("0561", "label past the end")]
    [InlineData("c0", "truncated pointer")]
    public void Parse_HostileNameInQuestion_Throws(string nameHex, string why)
    {
        var bytes = Convert.FromHexString("000000000001000000000000" + nameHex + "000c0001");

        var ex = Assert.Throws<DnsFormatException>(() => DnsMessageReader.Parse(bytes));
        Assert.False(string.IsNullOrEmpty(ex.Message), why);
    }

    [Fact]
    public void Parse_TwoPointersChasingEachOther_Throws()
    {
        // Question 1 name at 12: pointer to 14; question 2 name at 14... (offset 12 = c00e, 14 = c00c)
        var bytes = Convert.FromHexString("000000000002000000000000" + "c00e" + "c00c" + "000c0001");

        Assert.Throws<DnsFormatException>(() => DnsMessageReader.Parse(bytes));
    }

    [Fact]
    public void Parse_NameLongerThan255Bytes_Throws()
    {
        var name = string.Concat(Enumerable.Repeat("3f" + new string('6', 126), 5)) + "00"; // 5 × 64 bytes
        var bytes = Convert.FromHexString("000000000001000000000000" + name + "000c0001");

        Assert.Throws<DnsFormatException>(() => DnsMessageReader.Parse(bytes));
    }

    [Fact]
    public void Parse_LongCompressionChainWithinLimits_Works()
    {
        // 60 one-letter labels, each later name pointing at the previous one: legal, bounded.
        var builder = new List<byte>(Convert.FromHexString("000000000000000000000000"));
        var offsets = new List<int>();
        for (var i = 0; i < 60; i++)
        {
            offsets.Add(builder.Count);
            builder.Add(1);
            builder.Add((byte)'a');
            if (i == 0)
            {
                builder.Add(0);
            }
            else
            {
                builder.Add((byte)(0xC0 | (offsets[i - 1] >> 8)));
                builder.Add((byte)offsets[i - 1]);
            }
        }

        var bytes = builder.ToArray();
        var offset = offsets[^1];
        var name = DnsMessageReader.ReadName(bytes, ref offset);

        Assert.Equal(60, name.Labels.Count);
        Assert.Equal(bytes.Length, offset);
    }

    [Theory]
    [InlineData("0000000000ff000000000000")] // 255 questions, no bytes
    [InlineData("000000000000ffff00000000")] // 65535 answers
    [InlineData("000000000000000100000000" + "00" + "0001000100000078" + "0005" + "0a000001")] // A RDLENGTH 5
    [InlineData("000000000000000100000000" + "00" + "0010000100000078" + "0003" + "056162")] // TXT string past RDATA
    [InlineData("000000000000000100000000" + "00" + "0021000100000078" + "0006" + "000000000000")] // SRV without target
    [InlineData("000000000000000100000000" + "00" + "000c000100000078" + "0003" + "00" + "0000")] // PTR shorter than RDLENGTH
    [InlineData("0000000000000000000000000000")] // trailing bytes
    [InlineData("00000000")] // short header
    public void Parse_MalformedMessage_Throws(string hex)
    {
        Assert.Throws<DnsFormatException>(() => DnsMessageReader.Parse(Convert.FromHexString(hex)));
    }

    [Fact]
    public void Parse_OverMdnsMaximum_Throws()
    {
        Assert.Throws<DnsFormatException>(() => DnsMessageReader.Parse(new byte[DnsMessageReader.MaxMessageLength + 1]));
    }

    [Fact]
    public void Fuzz_RandomAndMutatedPackets_OnlyFormatErrorsAndFast()
    {
        var random = new Random(20240601);
        var seeds = new List<byte[]>
        {
            DnsMessageWriter.Write(Sample()),
            DnsMessageWriter.Write(DnsMessage.Query([new DnsQuestion(MdnsRecords.Service, DnsType.Ptr)], [new DnsRecord(MdnsRecords.Service, DnsType.Ptr, 100, new DnsPtrData(Instance))])),
            Convert.FromHexString("000000000001000000000000" + "065f6864646673045f756470056c6f63616c00" + "000c8001"),
        };
        var clock = Stopwatch.StartNew();
        var parsed = 0;
        for (var i = 0; i < 60_000; i++)
        {
            var data = Mutate(random, seeds[random.Next(seeds.Count)], i);
            try
            {
                DnsMessageReader.Parse(data);
                parsed++;
            }
            catch (DnsFormatException)
            {
            }
        }

        Assert.True(parsed > 0, "some mutations should still parse");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
    }

    private static byte[] Mutate(Random random, byte[] seed, int i)
    {
        switch (i % 5)
        {
            case 0:
                var junk = new byte[random.Next(0, 512)];
                random.NextBytes(junk);
                return junk;
            case 1:
                return seed[..random.Next(seed.Length + 1)];
            case 2:
                {
                    var copy = (byte[])seed.Clone();
                    for (var n = random.Next(1, 6); n > 0; n--)
                    {
                        copy[random.Next(copy.Length)] = (byte)random.Next(256);
                    }

                    return copy;
                }

            case 3:
                {
                    // Plant compression pointers anywhere (loops, forward jumps).
                    var copy = (byte[])seed.Clone();
                    var at = random.Next(12, copy.Length - 1);
                    copy[at] = (byte)(0xC0 | random.Next(0, 2));
                    copy[at + 1] = (byte)random.Next(256);
                    return copy;
                }

            default:
                {
                    var list = seed.ToList();
                    list.InsertRange(random.Next(list.Count), Enumerable.Range(0, random.Next(1, 20)).Select(_ => (byte)random.Next(256)));
                    return [.. list];
                }
        }
    }

    [Theory]
    [InlineData("t0=", true)]
    [InlineData("t7=", true)]
    [InlineData("t12=", true)]
    [InlineData("t123=", false)]
    [InlineData("t=", false)]
    [InlineData("x0=", false)]
    [InlineData("ta=", false)]
    [InlineData("v=1", false)]
    [InlineData("t0", false)]
    public void TopicEntries_OnlyNumberedTEntries(string key, bool taken)
    {
        var txt = new DnsTxtData([[.. Encoding.ASCII.GetBytes(key), 1, 2, 3]]);

        Assert.Equal(taken ? 1 : 0, MdnsRecords.TopicEntries(txt).Count);
    }

    private static int CountOccurrences(byte[] haystack, byte[] needle)
    {
        var count = 0;
        for (var i = 0; i + needle.Length <= haystack.Length; i++)
        {
            if (haystack.AsSpan(i, needle.Length).SequenceEqual(needle))
            {
                count++;
            }
        }

        return count;
    }
}

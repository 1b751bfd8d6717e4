using System.Net;
using FsCheck;
using FsCheck.Fluent;
using HddFs.Core;

namespace HddFs.Protocol.Tests;

/// <summary>
/// FsCheck generators for valid messages: share paths over ASCII, Latin, CJK and astral (surrogate
/// pair) characters; every numeric field across its full range with the edges weighted in.
/// </summary>
public static class ProtocolArbitraries
{
    private static readonly string[] Alphabet = ["a", "b", "Z", "0", ".", "-", " ", "é", "Ü", "日", "本", "😀", "\u0301", "~", "#"];

    public static Arbitrary<Hello> Hello() => HelloGen.ToArbitrary();

    public static Arbitrary<LsRequest> LsRequest() => LsRequestGen.ToArbitrary();

    public static Arbitrary<LsPage> LsPage() => LsPageGen.ToArbitrary();

    public static Arbitrary<LsEnd> LsEnd() => UInt64Gen.Select(n => new LsEnd(n)).ToArbitrary();

    public static Arbitrary<ReadRequest> ReadRequest() => ReadRequestGen.ToArbitrary();

    public static Arbitrary<ReadResponse> ReadResponse() => NonNegativeInt64Gen.Select(n => new ReadResponse((ulong)n)).ToArbitrary();

    public static Arbitrary<ErrorResponse> ErrorResponse() => ErrorResponseGen.ToArbitrary();

    public static Arbitrary<Announce> Announce() => AnnounceGen.ToArbitrary();

    public static Arbitrary<Message> Message() => Gen.OneOf<Message>(
        HelloGen.Select(m => (Message)m),
        LsRequestGen.Select(m => (Message)m),
        LsPageGen.Select(m => (Message)m),
        UInt64Gen.Select(n => (Message)new LsEnd(n)),
        ReadRequestGen.Select(m => (Message)m),
        NonNegativeInt64Gen.Select(n => (Message)new ReadResponse((ulong)n)),
        ErrorResponseGen.Select(m => (Message)m),
        AnnounceGen.Select(m => (Message)m)).ToArbitrary();

    public static Arbitrary<RemoteEntry[]> Entries() => Gen.Choose(0, 600).SelectMany(n => Gen.ArrayOf(EntryGen, n)).ToArbitrary();

    internal static Gen<ulong> UInt64Gen => Gen.Frequency(
        (1, Gen.Elements(0UL, 1UL, 127UL, 128UL, 16383UL, 16384UL, (ulong)long.MaxValue, ulong.MaxValue)),
        (3, Gen.Choose(0, int.MaxValue).Select(n => (ulong)n)),
        (3, Gen.Choose(int.MinValue, int.MaxValue).Two().Select(t => ((ulong)(uint)t.Item1 << 32) | (uint)t.Item2)));

    internal static Gen<long> NonNegativeInt64Gen => UInt64Gen.Select(n => (long)(n >> 1));

    internal static Gen<long> Int64Gen => UInt64Gen.Select(n => unchecked((long)n));

    internal static Gen<string> ComponentGen =>
        Gen.Choose(1, 12).SelectMany(n => Gen.ArrayOf(Gen.Elements(Alphabet), n))
            .Select(string.Concat)
            .Where(s => SharePath.IsValidComponent(s, out _));

    internal static Gen<SharePath> PathGen => Gen.Frequency(
        (1, Gen.Constant(SharePath.Root)),
        (8, Gen.Choose(1, 6).SelectMany(n => Gen.ArrayOf(ComponentGen, n)).Select(parts => SharePath.Parse(string.Join('/', parts)))),
        (1, Gen.Choose(1, 16).Select(n => SharePath.Parse(string.Join('/', Enumerable.Repeat(new string('x', 250), n))))));

    internal static Gen<string> TextGen(int maxRunes) =>
        Gen.Choose(0, maxRunes).SelectMany(n => Gen.ArrayOf(Gen.Elements(Alphabet.Append("\n").Append("/").ToArray()), n)).Select(string.Concat);

    internal static Gen<RemoteEntry> EntryGen =>
        from path in PathGen
        from size in NonNegativeInt64Gen
        from isDirectory in Gen.Elements(true, false)
        from modified in Int64Gen
        select new RemoteEntry(path, size, isDirectory, modified);

    private static Gen<Hello> HelloGen =>
        from min in Gen.Choose(1, ushort.MaxValue)
        from max in Gen.Choose(min, ushort.MaxValue)
        from count in Gen.Choose(0, Protocol.Hello.MaxProofs)
        from proofs in Gen.ArrayOf(Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), TopicProof.Length).Select(b => new TopicProof(b)), count)
        select new Hello((ushort)max, (ushort)min, proofs);

    private static Gen<LsRequest> LsRequestGen =>
        from path in PathGen
        from search in Gen.OneOf(Gen.Constant<string?>(null), TextGen(60).Select(s => (string?)s))
        from recursive in Gen.Elements(true, false)
        select new LsRequest(path, search, recursive);

    private static Gen<LsPage> LsPageGen =>
        Gen.Frequency((4, Gen.Choose(0, 20)), (1, Gen.Choose(0, Protocol.LsPage.MaxEntries)))
            .SelectMany(n => Gen.ArrayOf(EntryGen, n))
            .Select(entries => Protocol.LsPage.Split(entries) is [var first, ..] ? first : new LsPage([]));

    private static Gen<ReadRequest> ReadRequestGen =>
        from path in PathGen
        from offset in NonNegativeInt64Gen
        from length in NonNegativeInt64Gen
        select new ReadRequest(path, (ulong)offset, (ulong)Math.Min(length, long.MaxValue - offset));

    private static Gen<ErrorResponse> ErrorResponseGen =>
        from code in Gen.Elements(Enum.GetValues<ErrorCode>())
        from text in TextGen(120)
        select new ErrorResponse(code, text);

    private static Gen<IPEndPoint> EndPointGen =>
        from v6 in Gen.Elements(true, false)
        from bytes in Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), v6 ? 16 : 4)
        from port in Gen.Choose(1, ushort.MaxValue)
        select new IPEndPoint(new IPAddress(bytes), port);

    private static Gen<Announce> AnnounceGen =>
        from key in Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), PeerId.Length).Where(k => k.Any(b => b != 0))
        from count in Gen.Choose(0, Protocol.Announce.MaxAddresses)
        from addresses in Gen.ArrayOf(EndPointGen, count)
        from nat in Gen.Choose(0, 255)
        from timestamp in Int64Gen
        select new Announce(new PeerId(key), addresses, (byte)nat, timestamp);
}

using System.Net;
using HddFs.Core;

namespace HddFs.Protocol.Tests;

/// <summary>Messages the protocol cannot carry are refused by the encoder, with ArgumentException.</summary>
public sealed class EncoderValidationTests
{
    private static readonly PeerId Peer = new(Enumerable.Repeat((byte)7, PeerId.Length).ToArray());

    public static TheoryData<string, Message> Uncarriable => new()
    {
        { "hello version 0", new Hello(0, 0, []) },
        { "hello min above version", new Hello(1, 2, []) },
        { "hello 17 proofs", new Hello(1, 1, Enumerable.Repeat(new TopicProof(new byte[32]), 17).ToArray()) },
        { "search over 256 bytes", new LsRequest(SharePath.Root, new string('é', 129), false) },
        { "search with lone surrogate", new LsRequest(SharePath.Root, "\ud800", false) },
        { "path with lone surrogate", new LsRequest(SharePath.Parse("a\udc00"), null, false) },
        { "page of 257 entries", new LsPage(Enumerable.Repeat(new RemoteEntry(SharePath.Parse("a"), 0, false, 0), 257).ToArray()) },
        { "page over 256 KiB", new LsPage(Enumerable.Repeat(new RemoteEntry(SharePath.Parse(LongPath), 0, false, 0), 66).ToArray()) },
        { "negative size", new LsPage([new RemoteEntry(SharePath.Parse("a"), -1, false, 0)]) },
        { "read offset over 2^63 - 1", new ReadRequest(SharePath.Parse("a"), (ulong)long.MaxValue + 1, 0) },
        { "read range over 2^63 - 1", new ReadRequest(SharePath.Parse("a"), 1, long.MaxValue) },
        { "read response over 2^63 - 1", new ReadResponse(ulong.MaxValue) },
        { "announce empty peer", new Announce(default, [], 0, 0) },
        { "announce port 0", new Announce(Peer, [new IPEndPoint(IPAddress.Loopback, 0)], 0, 0) },
        { "announce scoped IPv6", new Announce(Peer, [new IPEndPoint(IPAddress.Parse("fe80::1%2"), 1)], 0, 0) },
        { "announce 17 addresses", new Announce(Peer, Enumerable.Repeat(new IPEndPoint(IPAddress.Loopback, 1), 17).ToArray(), 0, 0) },
    };

    private static string LongPath => string.Join('/', Enumerable.Repeat(new string('p', 250), 16));

    [Theory]
    [MemberData(nameof(Uncarriable))]
    public void ToArray_UncarriableMessage_ThrowsArgumentException(string name, Message message)
    {
        var error = Record.Exception(() => FrameWriter.ToArray(message));
        Assert.True(error is ArgumentException, $"{name}: {error?.GetType().Name ?? "no exception"}");
    }

    [Fact]
    public void Split_EntriesWithLongestPaths_CutsPagesBySize()
    {
        var entries = Enumerable.Range(0, 200).Select(i => new RemoteEntry(SharePath.Parse(LongPath), i, false, i)).ToArray();
        var pages = LsPage.Split(entries);

        Assert.True(pages.Count > 1);
        Assert.Equal(entries, pages.SelectMany(p => p.Entries));
        Assert.All(pages, p => Assert.InRange(FrameWriter.GetFrameLength(p) - FrameLimits.LengthPrefixBytes, 1, FrameLimits.MaxLsPageBody));
        Assert.Equal(pages[0], Codec.DecodeWhole(FrameWriter.ToArray(pages[0])));
    }

    [Fact]
    public void Split_ManySmallEntries_CutsPagesByCount()
    {
        var entries = Enumerable.Range(0, 1000).Select(i => new RemoteEntry(SharePath.Parse($"s/{i}"), i, false, i)).ToArray();
        Assert.Equal([256, 256, 256, 232], LsPage.Split(entries).Select(p => p.Entries.Count));
    }

    [Fact]
    public void Split_NoEntries_GivesNoPages() => Assert.Empty(LsPage.Split([]));

    [Fact]
    public void Write_DestinationTooShort_Throws()
        => Assert.Throws<ArgumentException>(() => FrameWriter.Write(new byte[12], new LsEnd(1)));

    [Fact]
    public void LsRequest_FromQuery_RoundTripsTheQuery()
    {
        var query = new LsQuery(SharePath.Parse("Music"), "abba", true);
        Assert.Equal(query, LsRequest.FromQuery(query).ToQuery());
    }
}

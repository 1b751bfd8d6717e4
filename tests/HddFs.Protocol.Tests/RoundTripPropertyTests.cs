using System.Buffers;
using FsCheck;
using FsCheck.Xunit;
using HddFs.Core;

namespace HddFs.Protocol.Tests;

/// <summary>decode(encode(m)) == m for every valid message, through every way in and out.</summary>
[Properties(Arbitrary = [typeof(ProtocolArbitraries)], MaxTest = 300)]
public sealed class RoundTripPropertyTests
{
    [Property]
    public void Hello_Encoded_DecodesToItself(Hello message) => AssertRoundTrip(message);

    [Property]
    public void LsRequest_Encoded_DecodesToItself(LsRequest message) => AssertRoundTrip(message);

    [Property(MaxTest = 100)]
    public void LsPage_Encoded_DecodesToItself(LsPage message) => AssertRoundTrip(message);

    [Property]
    public void LsEnd_Encoded_DecodesToItself(LsEnd message) => AssertRoundTrip(message);

    [Property]
    public void ReadRequest_Encoded_DecodesToItself(ReadRequest message) => AssertRoundTrip(message);

    [Property]
    public void ReadResponse_Encoded_DecodesToItself(ReadResponse message) => AssertRoundTrip(message);

    [Property]
    public void ErrorResponse_Encoded_DecodesToItself(ErrorResponse message) => AssertRoundTrip(message);

    [Property]
    public void Announce_Encoded_DecodesToItself(Announce message) => AssertRoundTrip(message);

    [Property]
    public void FrameSequence_AnySegmentation_DecodesEveryMessageInOrder(Message[] messages, int seed)
    {
        var writer = new ArrayBufferWriter<byte>();
        foreach (var message in messages)
        {
            FrameWriter.Write(writer, message);
        }

        var bytes = writer.WrittenSpan.ToArray();
        var random = new Random(seed);
        var cuts = Enumerable.Range(0, random.Next(0, 8)).Select(_ => random.Next(0, bytes.Length + 1)).ToArray();
        var buffer = Codec.Segmented(bytes, cuts);

        var decoded = new List<Message>();
        while (FrameReader.TryRead(ref buffer, out var message))
        {
            decoded.Add(message);
        }

        Assert.True(buffer.IsEmpty);
        Assert.Equal(messages.Length, decoded.Count);
        for (var i = 0; i < messages.Length; i++)
        {
            Assert.True(messages[i].Equals(decoded[i]), $"message {i}: {messages[i]} != {decoded[i]}");
        }
    }

    [Property(MaxTest = 60)]
    public void Split_AnyEntries_PagesWithinLimitsAndInOrder(RemoteEntry[] entries)
    {
        var pages = LsPage.Split(entries);
        Assert.Equal(entries, pages.SelectMany(p => p.Entries));
        Assert.All(pages, page =>
        {
            Assert.InRange(page.Entries.Count, 1, LsPage.MaxEntries);
            Assert.InRange(FrameWriter.GetFrameLength(page), 1, FrameLimits.LengthPrefixBytes + FrameLimits.MaxLsPageBody);
        });
    }

    private static void AssertRoundTrip(Message message)
    {
        var frame = FrameWriter.ToArray(message);
        Assert.Equal(frame.Length, FrameWriter.GetFrameLength(message));

        var decoded = Codec.DecodeWhole(frame);
        Assert.True(message.Equals(decoded), $"{message} decoded as {decoded}");
        Assert.Equal(message.GetHashCode(), decoded.GetHashCode());

        // Canonical: the decoded message encodes to the very same bytes.
        Assert.Equal(frame, FrameWriter.ToArray(decoded));

        // The span and buffer-writer encoders and the span decoder agree with the array ones.
        var span = new byte[frame.Length + 3];
        Assert.Equal(frame.Length, FrameWriter.Write(span, message));
        Assert.Equal(frame, span[..frame.Length]);
        Assert.True(message.Equals(FrameReader.Decode(span, out var consumed)));
        Assert.Equal(frame.Length, consumed);
    }
}

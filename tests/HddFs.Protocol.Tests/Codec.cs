using System.Buffers;

namespace HddFs.Protocol.Tests;

/// <summary>Test shorthands over the public decoder.</summary>
internal static class Codec
{
    /// <summary>Decodes exactly one frame that fills <paramref name="frame"/>.</summary>
    public static Message DecodeWhole(byte[] frame)
    {
        var buffer = new ReadOnlySequence<byte>(frame);
        Assert.True(FrameReader.TryRead(ref buffer, out var message), "decoder asked for more data");
        Assert.True(buffer.IsEmpty, $"{buffer.Length} bytes left after the frame");
        return message;
    }

    public static ProtocolException DecodeFails(byte[] frame)
    {
        var buffer = new ReadOnlySequence<byte>(frame);
        return Assert.Throws<ProtocolException>(() => FrameReader.TryRead(ref buffer, out _));
    }

    /// <summary>A sequence of the given bytes cut into segments at <paramref name="cuts"/> (ascending offsets).</summary>
    public static ReadOnlySequence<byte> Segmented(byte[] bytes, params int[] cuts)
    {
        var bounds = cuts.Where(c => c > 0 && c < bytes.Length).Distinct().Order().Append(bytes.Length).ToArray();
        Segment? first = null;
        Segment? last = null;
        var start = 0;
        foreach (var end in bounds)
        {
            var segment = new Segment(bytes.AsMemory(start, end - start));
            if (last is null)
            {
                first = segment;
            }
            else
            {
                last.Append(segment);
            }

            last = segment;
            start = end;
        }

        return first is null ? ReadOnlySequence<byte>.Empty : new ReadOnlySequence<byte>(first, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public void Append(Segment next)
        {
            next.RunningIndex = RunningIndex + Memory.Length;
            Next = next;
        }
    }
}

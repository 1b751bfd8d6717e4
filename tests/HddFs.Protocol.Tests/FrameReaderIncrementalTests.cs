using System.Buffers;
using HddFs.Core;

namespace HddFs.Protocol.Tests;

/// <summary>The decoder fed a byte at a time, across segments, and with oversized headers.</summary>
public sealed class FrameReaderIncrementalTests
{
    private static readonly Message[] Messages =
    [
        new Hello(1, 1, []),
        new LsRequest(SharePath.Parse("Music/album"), "flac", true),
        new LsPage([new RemoteEntry(SharePath.Parse("Music/album/01.flac"), 31_000_000, false, 1_700_000_000_000), new RemoteEntry(SharePath.Parse("Music/album/cover"), 5, true, 0)]),
        new LsEnd(2),
        new ReadResponse(10),
    ];

    [Fact]
    public void TryRead_FramesFedByteByByte_ReturnsFalseUntilEachIsComplete()
    {
        var frames = Messages.Select(FrameWriter.ToArray).ToArray();
        var stream = frames.SelectMany(f => f).ToArray();
        var decoded = new List<Message>();
        var boundaries = new HashSet<int>();
        var end = 0;
        foreach (var f in frames)
        {
            end += f.Length;
            boundaries.Add(end);
        }

        var start = 0;
        for (var available = 0; available <= stream.Length; available++)
        {
            var buffer = new ReadOnlySequence<byte>(stream, start, available - start);
            var before = buffer;
            if (FrameReader.TryRead(ref buffer, out var message))
            {
                Assert.Contains(available, boundaries);
                Assert.True(buffer.IsEmpty);
                decoded.Add(message);
                start = available;
            }
            else
            {
                Assert.DoesNotContain(available, boundaries.Where(b => b > start));
                Assert.Equal(before, buffer);
            }
        }

        Assert.Equal(Messages, decoded);
    }

    [Fact]
    public void TryRead_BodySplitAtEveryPairOfPoints_DecodesTheSameMessage()
    {
        var message = Messages[2];
        var frame = FrameWriter.ToArray(message);
        for (var i = 0; i <= frame.Length; i++)
        {
            for (var j = i; j <= frame.Length; j++)
            {
                var buffer = Codec.Segmented(frame, i, j);
                Assert.True(FrameReader.TryRead(ref buffer, out var decoded), $"cuts {i},{j}");
                Assert.Equal(message, decoded);
                Assert.True(buffer.IsEmpty);
            }
        }
    }

    [Fact]
    public void TryRead_HeaderAboveLimitWithNoBody_ThrowsAtOnce()
    {
        var buffer = new ReadOnlySequence<byte>(Hex.Bytes("00 00 08 01  01"));
        var error = Assert.Throws<ProtocolException>(() => FrameReader.TryRead(ref buffer, out _));
        Assert.Equal(ProtocolErrorKind.FrameTooLarge, error.Kind);
    }

    [Fact]
    public void TryRead_LargestLegalDeclaredBodyNotYetArrived_AllocatesNothing()
    {
        // A 256 KiB page declared, 1 KiB present: the decoder must wait without buffering or allocating.
        var bytes = new byte[1024];
        Hex.Bytes("00 04 00 00  11").CopyTo(bytes, 0);
        var buffer = Codec.Segmented(bytes, 100, 500);
        Assert.False(FrameReader.TryRead(ref buffer, out _)); // warm up (JIT, statics)

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            Assert.False(FrameReader.TryRead(ref buffer, out _));
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(bytes.Length, buffer.Length);
    }

    [Fact]
    public void TryRead_FullLsPage_AllocatesNoMoreThanTheDecodedObjects()
    {
        // 256 entries of 10-character names: strings, paths and entries, no per-byte allocation.
        var entries = Enumerable.Range(0, LsPage.MaxEntries)
            .Select(i => new RemoteEntry(SharePath.Parse($"share/dir/name{i:000000}"), i, false, i))
            .ToArray();
        var frame = FrameWriter.ToArray(new LsPage(entries));
        Codec.DecodeWhole(frame); // warm up

        var buffer = new ReadOnlySequence<byte>(frame);
        var before = GC.GetAllocatedBytesForCurrentThread();
        Assert.True(FrameReader.TryRead(ref buffer, out _));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // Per entry: the path string (~64 B), SharePath validation's split (~150 B), the entry (~48 B).
        Assert.InRange(allocated, 1, entries.Length * 400);
    }

    [Fact]
    public void Write_FullLsPageToPresizedWriter_AllocatesNothing()
    {
        var entries = Enumerable.Range(0, LsPage.MaxEntries)
            .Select(i => new RemoteEntry(SharePath.Parse($"Music/Artist {i % 7}/{i:000} - Track.flac"), i, i % 9 == 0, i))
            .ToArray();
        var page = new LsPage(entries);
        var writer = new ArrayBufferWriter<byte>(FrameLimits.MaxBody + FrameLimits.LengthPrefixBytes);
        FrameWriter.Write(writer, page); // warm up

        var before = GC.GetAllocatedBytesForCurrentThread();
        writer.ResetWrittenCount();
        FrameWriter.Write(writer, page);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(page, Codec.DecodeWhole(writer.WrittenSpan.ToArray()));
    }

    [Fact]
    public void Write_InvalidMessage_LeavesBufferWriterUntouched()
    {
        var writer = new ArrayBufferWriter<byte>();
        var tooMany = new LsPage(Enumerable.Range(0, LsPage.MaxEntries + 1).Select(i => new RemoteEntry(SharePath.Parse("a"), 0, false, 0)).ToArray());
        Assert.Throws<ArgumentException>(() => FrameWriter.Write(writer, tooMany));
        Assert.Equal(0, writer.WrittenCount);
    }
}

using System.Buffers;
using System.IO.Pipelines;
using HddFs.Core;

namespace HddFs.Protocol.Tests;

/// <summary>The async helpers: clean end vs truncation, bounded reads, raw bytes left in place.</summary>
public sealed class StreamAndPipeTests
{
    private static CancellationToken Timeout => new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token;

    [Fact]
    public async Task ReadAsyncStream_EmptyStream_ReturnsNull()
        => Assert.Null(await FrameReader.ReadAsync(new MemoryStream([]), Timeout));

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(12)]
    public async Task ReadAsyncStream_EndInsideFrame_ThrowsTruncated(int length)
    {
        var frame = FrameWriter.ToArray(new LsEnd(7));
        var error = await Assert.ThrowsAsync<ProtocolException>(async () => await FrameReader.ReadAsync(new TrickleStream(frame[..length]), Timeout));
        Assert.Equal(ProtocolErrorKind.Truncated, error.Kind);
    }

    [Fact]
    public async Task ReadAsyncStream_FramesThenEnd_ReadsEachThenNull()
    {
        var messages = new Message[] { new LsRequest(SharePath.Parse("a"), null, false), new LsEnd(3), new ErrorResponse(ErrorCode.Busy, "later") };
        var stream = new TrickleStream(messages.SelectMany(FrameWriter.ToArray).ToArray());
        foreach (var expected in messages)
        {
            Assert.Equal(expected, await FrameReader.ReadAsync(stream, Timeout));
        }

        Assert.Null(await FrameReader.ReadAsync(stream, Timeout));
    }

    [Fact]
    public async Task ReadAsyncStream_ReadResponseThenRawBytes_LeavesRawBytesUnread()
    {
        var raw = "\0boop\n"u8.ToArray();
        var stream = new TrickleStream([.. FrameWriter.ToArray(new ReadResponse((ulong)raw.Length)), .. raw]);

        var header = await FrameReader.ReadAsync(stream, Timeout);
        var length = Responses.ExpectReadResponse(new ReadRequest(SharePath.Parse("a"), 0, 100), header);

        Assert.Equal((ulong)raw.Length, length);
        var rest = new byte[raw.Length];
        await stream.ReadExactlyAsync(rest, Timeout);
        Assert.Equal(raw, rest);
        Assert.Equal(0, await stream.ReadAsync(new byte[1], Timeout));
    }

    [Fact]
    public async Task ReadAsyncStream_OversizedLength_ThrowsAfterReadingOnlyTheHeader()
    {
        byte[] bytes = [.. Hex.Bytes("00 00 08 01  01"), .. new byte[3000]];
        var stream = new TrickleStream(bytes);
        var error = await Assert.ThrowsAsync<ProtocolException>(async () => await FrameReader.ReadAsync(stream, Timeout));
        Assert.Equal(ProtocolErrorKind.FrameTooLarge, error.Kind);
        Assert.Equal(5, stream.Position);
    }

    [Fact]
    public async Task ReadAsyncStream_LargestPage_NeverAsksForMoreThanTheFrame()
    {
        var page = new LsPage(Enumerable.Range(0, 60).Select(i => new RemoteEntry(SharePath.Parse(string.Join('/', Enumerable.Repeat(new string('m', 250), 16))), i, false, i)).ToArray());
        var frame = FrameWriter.ToArray(page);
        var stream = new TrickleStream([.. frame, .. new byte[100]], maxChunk: 100_000);

        Assert.Equal(page, await FrameReader.ReadAsync(stream, Timeout));
        Assert.Equal(frame.Length, stream.Position);
        Assert.InRange(stream.LargestRequest, 1, FrameLimits.MaxBody);
    }

    [Fact]
    public async Task WriteAsync_Message_WritesExactlyItsFrame()
    {
        var message = new ReadRequest(SharePath.Parse("Films/a.mkv"), 1 << 20, 1 << 16);
        var stream = new MemoryStream();
        await FrameWriter.WriteAsync(stream, message, Timeout);
        Assert.Equal(FrameWriter.ToArray(message), stream.ToArray());
    }

    [Fact]
    public async Task ReadAsyncPipe_FramesWrittenInRandomChunks_ReadInOrderThenNull()
    {
        var random = new Random(1234);
        var messages = Enumerable.Range(0, 200).Select(i => (Message)(i % 3 == 0
            ? new LsEnd((ulong)i)
            : new LsPage([new RemoteEntry(SharePath.Parse($"s/{i}"), i, i % 2 == 0, i)]))).ToList();
        var bytes = messages.SelectMany(FrameWriter.ToArray).ToArray();
        var pipe = new Pipe();

        var writing = Task.Run(async () =>
        {
            for (var offset = 0; offset < bytes.Length;)
            {
                var chunk = Math.Min(random.Next(1, 40), bytes.Length - offset);
                await pipe.Writer.WriteAsync(bytes.AsMemory(offset, chunk), Timeout);
                offset += chunk;
            }

            await pipe.Writer.CompleteAsync();
        });

        foreach (var expected in messages)
        {
            Assert.Equal(expected, await FrameReader.ReadAsync(pipe.Reader, Timeout));
        }

        Assert.Null(await FrameReader.ReadAsync(pipe.Reader, Timeout));
        await writing;
    }

    [Fact]
    public async Task ReadAsyncPipe_CompletedMidFrame_ThrowsTruncated()
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(FrameWriter.ToArray(new LsEnd(1)).AsMemory(0, 7), Timeout);
        await pipe.Writer.CompleteAsync();
        var error = await Assert.ThrowsAsync<ProtocolException>(async () => await FrameReader.ReadAsync(pipe.Reader, Timeout));
        Assert.Equal(ProtocolErrorKind.Truncated, error.Kind);
    }

    [Fact]
    public async Task ReadAsyncPipe_OversizedHeader_ThrowsWithoutWaitingForTheBody()
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(Hex.Bytes("00 00 00 20  21"), Timeout); // 32 > 16 for ReadResponse; writer stays open
        var error = await Assert.ThrowsAsync<ProtocolException>(async () => await FrameReader.ReadAsync(pipe.Reader, Timeout));
        Assert.Equal(ProtocolErrorKind.FrameTooLarge, error.Kind);
    }

    [Fact]
    public async Task ReadAsyncPipe_ReadResponse_LeavesRawBytesInThePipe()
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(FrameWriter.ToArray(new ReadResponse(4)), Timeout);
        await pipe.Writer.WriteAsync("again\n"u8.ToArray(), Timeout);
        await pipe.Writer.CompleteAsync();

        Assert.Equal(new ReadResponse(4), await FrameReader.ReadAsync(pipe.Reader, Timeout));
        var rest = await pipe.Reader.ReadAtLeastAsync(6, Timeout);
        Assert.Equal("again\n"u8.ToArray(), rest.Buffer.ToArray());
    }

    /// <summary>A read-only stream that returns at most <c>maxChunk</c> bytes per read and records the largest request.</summary>
    private sealed class TrickleStream(byte[] data, int maxChunk = 3) : Stream
    {
        private int _position;

        public int LargestRequest { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => data.Length;

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            LargestRequest = Math.Max(LargestRequest, buffer.Length);
            var n = Math.Min(Math.Min(buffer.Length, maxChunk), data.Length - _position);
            data.AsSpan(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
            => ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => Task.FromResult(Read(buffer.AsSpan(offset, count)));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

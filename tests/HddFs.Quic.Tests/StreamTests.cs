namespace HddFs.Quic.Tests;

public sealed class StreamTests
{
    [Fact]
    public async Task Transfer_256MiBOnOneStream_ArrivesIntact()
    {
        await using var pair = new EndpointPair();
        var (client, server) = await Quic.ConnectAsync(pair.Client, pair.Server);
        var ct = Quic.Token(TimeSpan.FromSeconds(90));
        const long size = 256L << 20;
        var receive = Task.Run(async () =>
        {
            await using var s = await server.AcceptInboundStreamAsync(ct);
            return await s.ReadHashAsync(1 << 20, ct);
        });
        await using var stream = await client.OpenBidirectionalStreamAsync(ct);
        var sentHash = await stream.WritePatternAsync(size, seed: 7, chunk: 1 << 20, ct);
        var (length, hash) = await receive;
        Assert.Equal(size, length);
        Assert.Equal(sentHash, hash);
        await stream.WritesClosed.WaitAsync(ct);
        await client.DisposeAsync();
        await server.DisposeAsync();
    }

    [Fact]
    public async Task Streams_100Concurrent_AllEchoTheirOwnData()
    {
        await using var pair = new EndpointPair();
        var (client, server) = await Quic.ConnectAsync(pair.Client, pair.Server);
        var ct = Quic.Token();
        var echo = Task.Run(async () =>
        {
            var handlers = new List<Task>();
            for (var i = 0; i < 100; i++)
            {
                var s = await server.AcceptInboundStreamAsync(ct);
                handlers.Add(Task.Run(async () =>
                {
                    await using (s)
                    {
                        var data = await s.ReadToEndAsync(ct);
                        await s.WriteAsync(data, completeWrites: true, ct);
                        await s.WritesClosed.WaitAsync(ct);
                    }
                }));
            }

            await Task.WhenAll(handlers);
        });
        var requests = Enumerable.Range(0, 100).Select(async i =>
        {
            await using var s = await client.OpenBidirectionalStreamAsync(ct);
            var payload = new byte[1000 + (i * 997)];
            new Random(i).NextBytes(payload);
            var reply = s.ReadToEndAsync(ct);
            await s.WriteAsync(payload, completeWrites: true, ct);
            Assert.Equal(payload, await reply);
        }).ToArray();
        await Task.WhenAll(requests);
        await echo;
        await client.DisposeAsync();
        await server.DisposeAsync();
    }

    [Fact]
    public async Task Backpressure_PeerDoesNotRead_WriterWaitsWithBoundedBuffers()
    {
        const int sendBuffer = 256 * 1024;
        await using var pair = new EndpointPair(o => HandshakeTests.Copy(o, sendBuffer: sendBuffer));
        var (client, server) = await Quic.ConnectAsync(pair.Client, pair.Server);
        var ct = Quic.Token();
        await using var stream = await client.OpenBidirectionalStreamAsync(ct);
        await stream.WriteAsync(new byte[1], ct);
        await using var inbound = await server.AcceptInboundStreamAsync(ct); // accepted, never read

        var chunk = new byte[16 * 1024];
        long written = 0;
        var writer = Task.Run(async () =>
        {
            while (true)
            {
                await stream.WriteAsync(chunk, ct);
                Interlocked.Add(ref written, chunk.Length);
            }
        });
        await Task.Delay(1500);
        var stalledAt = Interlocked.Read(ref written);
        await Task.Delay(1000);
        Assert.False(writer.IsCompleted);
        Assert.Equal(stalledAt, Interlocked.Read(ref written)); // the writer is blocked, not crawling
        // bounded by the receiver's stream window (256 KiB initial) + our send buffer, not by memory
        Assert.InRange(stalledAt, 64 * 1024, 256 * 1024 + sendBuffer + chunk.Length);

        // reading releases the writer
        var buffer = new byte[1 << 20];
        long read = 0;
        while (read < stalledAt + (512 * 1024))
        {
            var n = await inbound.ReadAsync(buffer, ct);
            Assert.True(n > 0);
            read += n;
        }

        Assert.True(Interlocked.Read(ref written) > stalledAt);
        await client.DisposeAsync();
        await server.DisposeAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => writer);
    }

    [Fact]
    public async Task AbortWrite_PeerReadFailsWithStreamAbortedAndCode()
    {
        await using var pair = new EndpointPair();
        var (client, server) = await Quic.ConnectAsync(pair.Client, pair.Server);
        var ct = Quic.Token();
        await using var stream = await client.OpenBidirectionalStreamAsync(ct);
        await stream.WriteAsync(new byte[100], ct);
        await using var inbound = await server.AcceptInboundStreamAsync(ct);
        stream.Abort(QuicAbortDirection.Write, 77);

        var ex = await Assert.ThrowsAsync<QuicException>(async () =>
        {
            var buffer = new byte[1000];
            while (await inbound.ReadAsync(buffer, ct) > 0)
            {
            }
        });
        Assert.Equal(QuicError.StreamAborted, ex.Error);
        Assert.Equal(77, ex.ApplicationErrorCode);
        var closed = await Assert.ThrowsAsync<QuicException>(() => inbound.ReadsClosed);
        Assert.Equal(77, closed.ApplicationErrorCode);

        // locally the aborted direction fails with OperationAborted
        var local = await Assert.ThrowsAsync<QuicException>(async () => await stream.WriteAsync(new byte[1], ct));
        Assert.Equal(QuicError.OperationAborted, local.Error);
        await client.DisposeAsync();
        await server.DisposeAsync();
    }

    // ngtcp2 0.12 reports a received STOP_SENDING only as "sending side shut" (no callback carries the code), so
    // the writer learns StreamAborted without ApplicationErrorCode; RESET_STREAM codes do arrive (test above).
    [Fact]
    public async Task AbortRead_PeerWriteFailsWithStreamAborted()
    {
        await using var pair = new EndpointPair();
        var (client, server) = await Quic.ConnectAsync(pair.Client, pair.Server);
        var ct = Quic.Token();
        await using var stream = await client.OpenBidirectionalStreamAsync(ct);
        await stream.WriteAsync(new byte[100], ct);
        await using var inbound = await server.AcceptInboundStreamAsync(ct);
        inbound.Abort(QuicAbortDirection.Read, 55);

        var ex = await Assert.ThrowsAsync<QuicException>(async () =>
        {
            var chunk = new byte[64 * 1024];
            for (var i = 0; i < 10_000; i++)
            {
                await stream.WriteAsync(chunk, ct);
            }
        });
        Assert.Equal(QuicError.StreamAborted, ex.Error);
        var closed = await Assert.ThrowsAsync<QuicException>(() => stream.WritesClosed);
        Assert.Equal(QuicError.StreamAborted, closed.Error);
        // the other direction still works
        await inbound.WriteAsync("still here"u8.ToArray(), completeWrites: true, ct);
        Assert.Equal("still here"u8.ToArray(), await stream.ReadToEndAsync(ct));
        await client.DisposeAsync();
        await server.DisposeAsync();
    }

    [Fact]
    public async Task Dispose_WithWritesOpen_PeerReadsEverythingThenEnd()
    {
        await using var pair = new EndpointPair();
        var (client, server) = await Quic.ConnectAsync(pair.Client, pair.Server);
        var ct = Quic.Token();
        var stream = await client.OpenBidirectionalStreamAsync(ct);
        var payload = new byte[3 << 20];
        new Random(3).NextBytes(payload);
        await stream.WriteAsync(payload, ct);
        await stream.DisposeAsync(); // graceful: FIN after the buffered bytes

        await using var inbound = await server.AcceptInboundStreamAsync(ct);
        Assert.Equal(payload, await inbound.ReadToEndAsync(ct));
        await inbound.ReadsClosed.WaitAsync(ct);
        await client.DisposeAsync();
        await server.DisposeAsync();
    }

    [Fact]
    public async Task OpenStream_PeerLimitReached_WaitsUntilAStreamCloses()
    {
        await using var pair = new EndpointPair(o => HandshakeTests.Copy(o, maxBidi: 2));
        var (client, server) = await Quic.ConnectAsync(pair.Client, pair.Server);
        var ct = Quic.Token();
        var first = await client.OpenBidirectionalStreamAsync(ct);
        var second = await client.OpenBidirectionalStreamAsync(ct);
        var third = client.OpenBidirectionalStreamAsync(ct).AsTask();
        await Task.Delay(300);
        Assert.False(third.IsCompleted);

        // finish the first stream in both directions: the server grants one more
        await first.WriteAsync(new byte[10], completeWrites: true, ct);
        var inbound = await server.AcceptInboundStreamAsync(ct);
        await inbound.ReadToEndAsync(ct);
        await inbound.WriteAsync(new byte[10], completeWrites: true, ct);
        await first.ReadToEndAsync(ct);
        await inbound.DisposeAsync();
        await first.DisposeAsync();

        await using var opened = await third.WaitAsync(ct);
        Assert.Equal(8, opened.Id); // client bidi streams: 0, 4, 8
        await second.DisposeAsync();
        await client.DisposeAsync();
        await server.DisposeAsync();
    }

    [Fact]
    public async Task UnidirectionalStream_ServerReceivesAndCannotWrite()
    {
        await using var pair = new EndpointPair(o => HandshakeTests.Copy(o, maxUni: 4));
        var (client, server) = await Quic.ConnectAsync(pair.Client, pair.Server);
        var ct = Quic.Token();
        await using var uni = await client.OpenUnidirectionalStreamAsync(ct);
        Assert.False(uni.CanRead);
        Assert.True(uni.CanWrite);
        await uni.WriteAsync("one way"u8.ToArray(), completeWrites: true, ct);
        await using var inbound = await server.AcceptInboundStreamAsync(ct);
        Assert.True(inbound.CanRead);
        Assert.False(inbound.CanWrite);
        Assert.Equal(2, inbound.Id); // client-initiated unidirectional
        Assert.Equal("one way"u8.ToArray(), await inbound.ReadToEndAsync(ct));
        await Assert.ThrowsAsync<NotSupportedException>(async () => await inbound.WriteAsync(new byte[1], ct));
        await client.DisposeAsync();
        await server.DisposeAsync();
    }

    [Fact]
    public async Task ConcurrentReads_OnOneStream_SecondThrows()
    {
        await using var pair = new EndpointPair();
        var (client, server) = await Quic.ConnectAsync(pair.Client, pair.Server);
        var ct = Quic.Token();
        await using var stream = await client.OpenBidirectionalStreamAsync(ct);
        var pending = stream.ReadAsync(new byte[10], ct).AsTask();
        await Assert.ThrowsAsync<InvalidOperationException>(async () => _ = await stream.ReadAsync(new byte[10], ct));
        Assert.False(pending.IsCompleted);
        await client.DisposeAsync();
        await Assert.ThrowsAsync<QuicException>(() => pending);
        await server.DisposeAsync();
    }
}

using System.Security.Cryptography;

namespace HddFs.Quic.Tests;

public static class StreamExtensions
{
    /// <summary>Sends <paramref name="size"/> pseudo-random bytes client → server on one new stream and asserts that
    /// exactly those bytes arrived (length and SHA-256), then that the sender saw its writes acknowledged.</summary>
    public static async Task TransferAndVerifyAsync(this QuicConnection client, QuicConnection server, long size, int seed, CancellationToken ct)
    {
        var receive = Task.Run(async () =>
        {
            await using var s = await server.AcceptInboundStreamAsync(ct);
            return await s.ReadHashAsync(256 * 1024, ct);
        });
        await using var stream = await client.OpenBidirectionalStreamAsync(ct);
        var sent = await stream.WritePatternAsync(size, seed, chunk: 256 * 1024, ct);
        var (length, hash) = await receive;
        Assert.Equal(size, length);
        Assert.Equal(sent, hash);
        await stream.WritesClosed.WaitAsync(ct);
    }

    public static async Task<byte[]> ReadToEndAsync(this Stream stream, CancellationToken ct)
    {
        var ms = new MemoryStream();
        await stream.CopyToAsync(ms, ct);
        return ms.ToArray();
    }

    /// <summary>Writes <paramref name="total"/> pseudo-random bytes (seeded) in chunks and returns their SHA-256.</summary>
    public static async Task<byte[]> WritePatternAsync(this QuicStream stream, long total, int seed, int chunk, CancellationToken ct)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var random = new Random(seed);
        var buffer = new byte[chunk];
        for (long sent = 0; sent < total;)
        {
            var n = (int)Math.Min(chunk, total - sent);
            random.NextBytes(buffer.AsSpan(0, n));
            hash.AppendData(buffer, 0, n);
            await stream.WriteAsync(buffer.AsMemory(0, n), ct);
            sent += n;
        }

        stream.CompleteWrites();
        return hash.GetHashAndReset();
    }

    /// <summary>Reads to the end, returning the byte count and SHA-256.</summary>
    public static async Task<(long Length, byte[] Hash)> ReadHashAsync(this Stream stream, int chunk, CancellationToken ct)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[chunk];
        long total = 0;
        int n;
        while ((n = await stream.ReadAsync(buffer, ct)) > 0)
        {
            hash.AppendData(buffer, 0, n);
            total += n;
        }

        return (total, hash.GetHashAndReset());
    }
}

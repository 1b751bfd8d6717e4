using System.Security.Cryptography;

namespace HddFs.Quic.Tests;

public static class StreamExtensions
{
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

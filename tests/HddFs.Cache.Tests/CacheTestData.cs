using System.Text;
using HddFs.Core;
using HddFs.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace HddFs.Cache.Tests;

/// <summary>Keys, deterministic block contents and cache construction shared by the cache tests.</summary>
internal static class CacheTestData
{
    public const int SmallBlock = 64 * 1024;

    /// <summary>What one full 64 KiB block costs on disk: data + trailer, rounded up to 4 KiB.</summary>
    public const int SmallBlockCharge = SmallBlock + 4096;

    public static PeerId Peer(byte seed)
    {
        var bytes = new byte[PeerId.Length];
        bytes.AsSpan().Fill(seed);
        bytes[0] = 0xAB;
        return new PeerId(bytes);
    }

    public static FileKey Key(string path = "music/album/track.flac", long size = 64L * SmallBlock, long mtime = 1_700_000_000_000, byte peer = 1)
        => new(Peer(peer), SharePath.Parse(path), size, mtime);

    /// <summary>Deterministic contents of block <paramref name="index"/> of <paramref name="key"/>.</summary>
    public static byte[] Content(FileKey key, long index, int blockSize)
    {
        var length = (int)Math.Min(blockSize, key.Size - (index * blockSize));
        var bytes = new byte[length];
        var seed = HashCode.Combine(key.Path.Value, key.ModifiedUnixMs, key.Size, index);
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static DiskBlockCache Open(string directory, long capacity, int blockSize = SmallBlock, ILogger? logger = null, TimeProvider? time = null)
        => new(directory, capacity, logger ?? NullLogger.Instance, time ?? TimeProvider.System, blockSize);

    public static string BlocksDirectory(this TempDirectory dir) => Path.Combine(dir.Path, "blocks");

    /// <summary>The block files (not temporaries) on disk.</summary>
    public static string[] BlockFiles(string cacheDirectory)
        => [.. Directory.GetFiles(Path.Combine(cacheDirectory, "blocks")).Where(f => !f.EndsWith(".tmp", StringComparison.Ordinal)).Order(StringComparer.Ordinal)];

    /// <summary>Writes one block and returns the path of the file it created.</summary>
    public static string WriteAndFindFile(DiskBlockCache cache, string cacheDirectory, FileKey key, long index)
    {
        var before = BlockFiles(cacheDirectory).ToHashSet();
        cache.Write(key, index, Content(key, index, cache.BlockSize));
        return Assert.Single(BlockFiles(cacheDirectory), f => !before.Contains(f));
    }

    public static void AssertReads(DiskBlockCache cache, FileKey key, long index)
    {
        var buffer = new byte[cache.BlockSize];
        var n = cache.TryRead(key, index, buffer);
        var expected = Content(key, index, cache.BlockSize);
        Assert.Equal(expected.Length, n);
        Assert.True(expected.AsSpan().SequenceEqual(buffer.AsSpan(0, n)), $"block {index} of {key.Path} read back different bytes");
    }

    public static string FormatText(int blockSize, int version = 1)
        => new StringBuilder().Append("hddfs block cache\nformat ").Append(version).Append("\nblock-size ").Append(blockSize).Append('\n').ToString();
}

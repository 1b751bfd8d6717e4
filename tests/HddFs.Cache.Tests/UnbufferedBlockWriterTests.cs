using HddFs.Testing;

namespace HddFs.Cache.Tests;

/// <summary>O_DIRECT block writes: exact bytes and length whatever the alignment, on the file system the cache
/// lives on in CI (ext4 under /tmp), and the buffered fallback when a file is too long for the bounce buffer.</summary>
public sealed class UnbufferedBlockWriterTests : IDisposable
{
    private readonly TempDirectory _dir = new("hddfs-odirect");

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(1 << 20, 100)]      // a full block and a short trailer: padded, then truncated
    [InlineData(1, 57)]             // a tiny last block
    [InlineData(4096 - 57, 57)]     // exactly one aligned page
    [InlineData((1 << 20) + 3, 4093)] // data not a multiple of the page size
    public void TryWrite_AnyLength_WritesExactlyDataThenTrailer(int dataLength, int trailerLength)
    {
        var writer = new UnbufferedBlockWriter((1 << 20) + 8192);
        var data = RandomBytes(dataLength, seed: dataLength);
        var trailer = RandomBytes(trailerLength, seed: trailerLength + 1);
        var path = Path.Combine(_dir.Path, "block");

        bool written;
        using (var handle = File.OpenHandle(path, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            written = writer.TryWrite(handle, data, trailer);
        }

        Assert.True(written, "O_DIRECT refused on the test directory's file system");
        Assert.True(writer.IsActive);
        Assert.Equal([.. data, .. trailer], File.ReadAllBytes(path));
    }

    [Fact]
    public void TryWrite_LongerThanCapacity_LeavesTheFileToTheCaller()
    {
        var writer = new UnbufferedBlockWriter(4096);
        var path = Path.Combine(_dir.Path, "long");
        using (var handle = File.OpenHandle(path, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            Assert.False(writer.TryWrite(handle, new byte[4096], new byte[1]));
        }

        Assert.Equal(0, new FileInfo(path).Length);
        Assert.True(writer.IsActive, "a long file is not a refusal");
    }

    private static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}

namespace HddFs.Cache.Tests;

public sealed class CacheSizeTests
{
    [Theory]
    [InlineData("1000000000", 1_000_000_000L)]
    [InlineData("4194304", 4L << 20)]
    [InlineData("4194304B", 4L << 20)]
    [InlineData("10G", 10L << 30)]
    [InlineData("10g", 10L << 30)]
    [InlineData("10GB", 10L << 30)]
    [InlineData("10GiB", 10L << 30)]
    [InlineData("10 gib", 10L << 30)]
    [InlineData("  512M ", 512L << 20)]
    [InlineData("512MB", 512L << 20)]
    [InlineData("1.5GiB", 1_610_612_736L)]
    [InlineData("1.5G", 1_610_612_736L)]
    [InlineData("0.5T", 1L << 39)]
    [InlineData("2TB", 2L << 40)]
    [InlineData("4096K", 4L << 20)]
    [InlineData("4096KiB", 4L << 20)]
    [InlineData("4.000001M", 4_194_305L)] // fractions of a byte are dropped
    public void Parse_ValidSize_ReturnsBytes(string text, long expected)
        => Assert.Equal(expected, CacheSize.Parse(text));

    [Theory]
    [InlineData("", "empty")]
    [InlineData("   ", "empty")]
    [InlineData("G", "does not start with a number")]
    [InlineData("-10G", "does not start with a number")]
    [InlineData("+10G", "does not start with a number")]
    [InlineData(".5G", "does not start with a number")]
    [InlineData("5.G", "does not start with a number")]
    [InlineData("1.2.3G", "does not start with a number")]
    [InlineData("10X", "unknown unit 'X'")]
    [InlineData("10 GBs", "unknown unit 'GBs'")]
    [InlineData("10Gi", "unknown unit 'Gi'")]
    [InlineData("1e9", "unknown unit 'e9'")]
    [InlineData("10 G B", "unknown unit 'G B'")]
    [InlineData("5000000.5", "whole")]
    [InlineData("9999999999T", "too large")]
    [InlineData("99999999999999999999999999999999999", "too long")]
    public void Parse_Invalid_ThrowsFormatExceptionSayingWhy(string text, string reason)
    {
        var ex = Assert.Throws<FormatException>(() => CacheSize.Parse(text));
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
        Assert.Contains("512M", ex.Message, StringComparison.Ordinal); // and how to write one
    }

    [Theory]
    [InlineData("1M")]
    [InlineData("4194303")]
    [InlineData("0")]
    public void Parse_BelowFourBlocks_ThrowsFormatExceptionNamingTheMinimum(string text)
    {
        var ex = Assert.Throws<FormatException>(() => CacheSize.Parse(text));
        Assert.Contains("too small", ex.Message, StringComparison.Ordinal);
        Assert.Contains("4 MiB", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_MinimumFollowsTheBlockSize()
    {
        Assert.Equal(256L << 10, CacheSize.Parse("256K", 64 * 1024));
        Assert.Throws<FormatException>(() => CacheSize.Parse("256K"));
    }

    [Fact]
    public void TryParse_Null_ReturnsFalseWithAReason()
    {
        Assert.False(CacheSize.TryParse(null, out var bytes, out var error));
        Assert.Equal(0, bytes);
        Assert.Contains("empty", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0L, "0 B")]
    [InlineData(1000L, "1000 B")]
    [InlineData(1L << 20, "1 MiB")]
    [InlineData(1_610_612_736L, "1.5 GiB")]
    [InlineData(10L << 40, "10 TiB")]
    public void Format_PicksTheLargestUnit(long bytes, string expected)
        => Assert.Equal(expected, CacheSize.Format(bytes));

    [Theory]
    [InlineData("10G")]
    [InlineData("1.5GiB")]
    [InlineData("512M")]
    public void Format_ParsesBack(string text)
    {
        var bytes = CacheSize.Parse(text);
        Assert.Equal(bytes, CacheSize.Parse(CacheSize.Format(bytes)));
    }
}

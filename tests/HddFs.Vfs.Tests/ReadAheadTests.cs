namespace HddFs.Vfs.Tests;

public sealed class ReadAheadTests
{
    private const int Block = 64 * 1024;
    private const long Size = 1L << 30;

    private static ReadAhead Create(long maxWindow = 64L << 20, int maxRequests = 4, long maxRequestBytes = 16L << 20)
        => new(Size, Block, new VfsOptions { PrefetchMaxWindow = maxWindow, PrefetchMaxRequests = maxRequests, MaxRequestBytes = maxRequestBytes }, maxWindow);

    private static List<(long First, int Count)> TakeAll(ReadAhead readAhead)
    {
        var taken = new List<(long, int)>();
        while (readAhead.TryTake(out var first, out var count))
        {
            taken.Add((first, count));
        }

        return taken;
    }

    [Fact]
    public void FirstRead_OneRequestCoveringOneMebibytePlusReadahead()
    {
        var readAhead = Create();

        readAhead.OnRead(0, 128 * 1024);

        // 1 MiB + 128 KiB = 18 blocks of 64 KiB.
        Assert.Equal([(0L, 18)], TakeAll(readAhead));
    }

    [Fact]
    public void SequentialReads_WindowDoublesUpToTheMaximum()
    {
        var readAhead = Create(maxWindow: 8L << 20);
        var windows = new List<long>();
        long offset = 0;
        for (var i = 0; i < 8; i++)
        {
            readAhead.OnRead(offset, 128 * 1024);
            offset += 128 * 1024;
            windows.Add(readAhead.Window);
        }

        Assert.Equal([1_179_648L, 2_359_296, 4_718_592, 8L << 20, 8L << 20, 8L << 20, 8L << 20, 8L << 20], windows);
    }

    [Fact]
    public void SequentialReads_RequestsGrowAndFollowEachOtherWithoutGaps()
    {
        var readAhead = Create();
        var taken = new List<(long First, int Count)>();
        long offset = 0;
        for (var i = 0; i < 6; i++)
        {
            readAhead.OnRead(offset, 128 * 1024);
            offset += 128 * 1024;
            foreach (var request in TakeAll(readAhead))
            {
                taken.Add(request);
                readAhead.OnDone(readAhead.Generation, succeeded: true);
            }
        }

        for (var i = 1; i < taken.Count; i++)
        {
            Assert.Equal(taken[i - 1].First + taken[i - 1].Count, taken[i].First);
        }

        Assert.True(taken[^1].Count > taken[0].Count, string.Join(", ", taken));
        Assert.All(taken, t => Assert.True(t.Count <= (16 << 20) / Block));
    }

    [Fact]
    public void InFlightRequests_CappedUntilOneFinishes()
    {
        var readAhead = Create(maxRequests: 2, maxRequestBytes: 2 * Block);

        readAhead.OnRead(0, 4096);
        Assert.Equal([(0L, 2), (2L, 2)], TakeAll(readAhead));
        Assert.Equal(2, readAhead.InFlight);

        readAhead.OnDone(readAhead.Generation, succeeded: true);
        Assert.Equal([(4L, 2)], TakeAll(readAhead));
    }

    [Fact]
    public void Seek_StartsNewStreamAndIgnoresTheOldStreamsCompletions()
    {
        var readAhead = Create(maxRequests: 1, maxRequestBytes: Block);
        Assert.False(readAhead.OnRead(0, 4096));
        TakeAll(readAhead);
        var old = readAhead.Generation;

        Assert.True(readAhead.OnRead(500L << 20, 4096));

        Assert.NotEqual(old, readAhead.Generation);
        Assert.Equal([((500L << 20) / Block, 1)], TakeAll(readAhead));
        readAhead.OnDone(old, succeeded: true);
        Assert.Empty(TakeAll(readAhead));
        readAhead.OnDone(readAhead.Generation, succeeded: true);
        Assert.Single(TakeAll(readAhead));
    }

    [Fact]
    public void ReorderedReadsWithinTolerance_StaySequential()
    {
        var readAhead = Create();
        readAhead.OnRead(0, 128 * 1024);
        TakeAll(readAhead);
        var generation = readAhead.Generation;

        Assert.False(readAhead.OnRead(256 * 1024, 128 * 1024));
        Assert.False(readAhead.OnRead(128 * 1024, 128 * 1024));
        Assert.False(readAhead.OnRead(2L << 20, 128 * 1024)); // ahead, inside what was requested

        Assert.Equal(generation, readAhead.Generation);
    }

    [Fact]
    public void FailedRequest_PausesStreamUntilNextRead()
    {
        var readAhead = Create(maxRequests: 1, maxRequestBytes: Block);
        readAhead.OnRead(0, 4096);
        TakeAll(readAhead);

        readAhead.OnDone(readAhead.Generation, succeeded: false);
        Assert.Empty(TakeAll(readAhead));

        readAhead.OnRead(4096, 4096);
        Assert.Single(TakeAll(readAhead));
    }

    [Fact]
    public void Disabled_NeverRequests()
    {
        var readAhead = Create(maxWindow: 0);

        readAhead.OnRead(0, 128 * 1024);
        readAhead.OnRead(128 * 1024, 128 * 1024);

        Assert.Empty(TakeAll(readAhead));
    }

    [Fact]
    public void NearEndOfFile_RequestsStopAtTheLastBlock()
    {
        var readAhead = new ReadAhead((3 * Block) + 10, Block, new VfsOptions(), 64L << 20);

        readAhead.OnRead(0, 100);

        Assert.Equal([(0L, 4)], TakeAll(readAhead));
    }

    [Fact]
    public void LostBlocks_HalveTheLargestWindowDownToTheInitialOne()
    {
        var readAhead = Create(maxWindow: 8L << 20);
        readAhead.OnRead(0, 128 * 1024);
        TakeAll(readAhead);
        Assert.True(readAhead.Requested(0));
        Assert.True(readAhead.Requested(17));
        Assert.False(readAhead.Requested(18));

        var caps = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            readAhead.OnLost();
            caps.Add(readAhead.MaxWindow);
        }

        // 1 MiB + 128 KiB rounded up to whole 64 KiB blocks is the floor.
        Assert.Equal([4L << 20, 2L << 20, 1_179_648, 1_179_648, 1_179_648], caps);
        long offset = 128 * 1024;
        for (var i = 0; i < 6; i++)
        {
            readAhead.OnRead(offset, 128 * 1024);
            offset += 128 * 1024;
            Assert.True(readAhead.Window <= 1_179_648, $"window {readAhead.Window}");
        }
    }

    [Fact]
    public void Requested_OnlyBlocksOfTheCurrentStream()
    {
        var readAhead = Create(maxRequests: 1, maxRequestBytes: 2 * Block);
        readAhead.OnRead(10 * Block, 4096);
        TakeAll(readAhead);

        Assert.False(readAhead.Requested(9));
        Assert.True(readAhead.Requested(10));
        Assert.True(readAhead.Requested(11));
        Assert.False(readAhead.Requested(12)); // not requested yet (one request in flight at most)

        readAhead.OnRead(100 * Block, 4096); // a seek: a new stream
        Assert.False(readAhead.Requested(10));
    }
}

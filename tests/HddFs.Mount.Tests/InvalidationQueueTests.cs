using HddFs.Fuse;
using HddFs.Vfs;
using Microsoft.Extensions.Logging.Abstractions;

namespace HddFs.Mount.Tests;

/// <summary>The queue between the VFS's Invalidated event and the kernel: never blocks the VFS, sends in
/// order from its own thread, drops the oldest when full, survives failures.</summary>
public sealed class InvalidationQueueTests
{
    [Fact]
    public async Task Send_HappensInOrderOnAnotherThread()
    {
        var queue = new InvalidationQueue(100, NullLogger.Instance);
        var sent = new List<(VfsInvalidation Item, int Thread)>();
        queue.Start(item =>
        {
            lock (sent)
            {
                sent.Add((item, Environment.CurrentManagedThreadId));
            }

            return item.Node % 2 == 0;
        });

        for (ulong i = 1; i <= 10; i++)
        {
            queue.Enqueue(new VfsInvalidation(VfsInvalidationKind.Node, i, null));
        }

        await queue.StopAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (ulong)i), sent.Select(s => s.Item.Node));
        Assert.DoesNotContain(Environment.CurrentManagedThreadId, sent.Select(s => s.Thread));
        Assert.Equal(5, queue.Sent);
        Assert.Equal(5, queue.NotCached);
    }

    [Fact]
    public async Task Enqueue_WhileTheSenderIsBlocked_NeverBlocksAndDropsTheOldest()
    {
        var queue = new InvalidationQueue(4, NullLogger.Instance);
        using var release = new ManualResetEventSlim();
        using var firstTaken = new ManualResetEventSlim();
        var sent = new List<ulong>();
        queue.Start(item =>
        {
            firstTaken.Set();
            release.Wait(); // a notification waiting for a kernel lock
            lock (sent)
            {
                sent.Add(item.Node);
            }

            return true;
        });

        queue.Enqueue(new VfsInvalidation(VfsInvalidationKind.Node, 1, null));
        Assert.True(firstTaken.Wait(TimeSpan.FromSeconds(10)));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        for (ulong i = 2; i <= 11; i++)
        {
            queue.Enqueue(new VfsInvalidation(VfsInvalidationKind.Entry, i, "name"));
        }

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1));
        Assert.Equal(6, queue.Dropped);
        release.Set();
        await queue.StopAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal([1UL, 8, 9, 10, 11], sent);
    }

    [Fact]
    public async Task FailedSends_AreCountedAndTheRestStillGoOut()
    {
        var queue = new InvalidationQueue(10, NullLogger.Instance);
        var sent = 0;
        queue.Start(item => item.Node switch
        {
            1 => throw new FuseException(Errno.EINVAL, "refused"),
            2 => throw new ArgumentException("bad name"),
            _ => Interlocked.Increment(ref sent) > 0,
        });
        for (ulong i = 1; i <= 4; i++)
        {
            queue.Enqueue(new VfsInvalidation(VfsInvalidationKind.Node, i, null));
        }

        await queue.StopAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(2, queue.Failed);
        Assert.Equal(2, queue.Sent);

        queue.Enqueue(new VfsInvalidation(VfsInvalidationKind.Node, 5, null)); // after stop: ignored
        Assert.Equal(2, queue.Sent);
    }
}

using System.Threading.Channels;
using HddFs.Fuse;
using HddFs.Vfs;
using Microsoft.Extensions.Logging;

namespace HddFs.Mount;

/// <summary>
/// Carries <see cref="VirtualFileSystem.Invalidated"/> events to the kernel. The VFS raises them
/// synchronously on whatever thread noticed the change, sometimes while that thread is serving a kernel
/// request for the very node; a notification sent there could wait for an inode lock the kernel holds
/// until that request is answered. So <see cref="Enqueue"/> only queues (never blocks, never fails), and
/// one dedicated thread sends.
/// </summary>
/// <remarks>
/// Bounded, drop-oldest: when the sender falls behind (the kernel holds a lock for the length of a slow
/// request), the oldest notifications are dropped; the attribute and entry timeouts (5 s) bound the
/// staleness that can cause. Ordering: sent in the order queued. The sender thread may block in write(2)
/// while the kernel waits for an inode lock; that only delays later notifications and never a request,
/// because requests are answered by the reader threads and the VFS, which do not wait for this thread.
/// Thread-safety: the channel is the only shared state (many writers, one reader); counters are Interlocked.
/// </remarks>
internal sealed class InvalidationQueue
{
    // immutable
    private readonly Channel<VfsInvalidation> _channel;
    private readonly ILogger _logger;

    // set once by Start
    private Task _sender = Task.CompletedTask;

    // atomics
    private long _sent;
    private long _notCached;
    private long _dropped;
    private long _failed;

    public InvalidationQueue(int capacity, ILogger logger)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentNullException.ThrowIfNull(logger);
        _logger = logger;
        _channel = Channel.CreateBounded<VfsInvalidation>(
            new BoundedChannelOptions(capacity)
            {
                FullMode = BoundedChannelFullMode.DropOldest,
                SingleReader = true,
                SingleWriter = false,
                AllowSynchronousContinuations = false,
            },
            OnDropped);
    }

    /// <summary>Notifications the kernel acted on.</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Notifications about something the kernel did not hold (nothing to drop).</summary>
    public long NotCached => Interlocked.Read(ref _notCached);

    /// <summary>Notifications dropped because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Notifications the kernel refused or that could not be sent.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Queues a notification; drops the oldest when full, ignores it once stopped. Never blocks.
    /// Safe from any thread, including the VFS's while it serves a request.</summary>
    public void Enqueue(VfsInvalidation invalidation) => _channel.Writer.TryWrite(invalidation);

    /// <summary>Starts the sender thread; <paramref name="send"/> returns whether the kernel held what it
    /// invalidated (<see cref="FuseSession.NotifyInvalidateInode"/> / <see cref="FuseSession.NotifyInvalidateEntry"/>).
    /// Call once, after the kernel's INIT (notifications need an initialized session).</summary>
    public void Start(Func<VfsInvalidation, bool> send)
    {
        ArgumentNullException.ThrowIfNull(send);
        _sender = Task.Factory.StartNew(() => SendLoop(send), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>Stops accepting notifications and waits for the sender to finish what is queued
    /// (the session has ended by then, so each remaining send returns at once).</summary>
    public Task StopAsync()
    {
        _channel.Writer.TryComplete();
        return _sender;
    }

    /// <summary>The kernel side of a notification, through a <see cref="FuseSession"/>.</summary>
    public static bool SendTo(FuseSession session, VfsInvalidation invalidation)
        => invalidation.Kind == VfsInvalidationKind.Entry
            ? session.NotifyInvalidateEntry(new NodeId(invalidation.Node), invalidation.Name!)
            : session.NotifyInvalidateInode(new NodeId(invalidation.Node), 0, 0);

    private void SendLoop(Func<VfsInvalidation, bool> send)
    {
        var reader = _channel.Reader;
        while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            while (reader.TryRead(out var invalidation))
            {
                Send(send, invalidation);
            }
        }
    }

    private void Send(Func<VfsInvalidation, bool> send, VfsInvalidation invalidation)
    {
        try
        {
            Interlocked.Increment(ref send(invalidation) ? ref _sent : ref _notCached);
        }
#pragma warning disable CA1031 // notifications are best effort: one failing must not stop the ones after it
        catch (Exception e)
#pragma warning restore CA1031
        {
            // FuseException: the kernel refused it; ArgumentException: a name the kernel cannot take.
            Interlocked.Increment(ref _failed);
            _logger.InvalidationFailed(invalidation.ToString(), e);
        }
    }

    private void OnDropped(VfsInvalidation invalidation)
    {
        if (Interlocked.Increment(ref _dropped) == 1)
        {
            _logger.InvalidationsDropping(invalidation.ToString());
        }
    }
}

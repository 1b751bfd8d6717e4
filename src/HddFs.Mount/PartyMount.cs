using HddFs.Fuse;
using HddFs.Vfs;
using Microsoft.Extensions.Logging;

namespace HddFs.Mount;

/// <summary>
/// The party mounted with FUSE: what the daemon composes. <see cref="MountAsync"/> prepares the mount
/// point (repairs a stale mount, creates the directory, refuses an active mount of something else),
/// mounts the <see cref="VirtualFileSystem"/> read-only through <see cref="VfsFuseAdapter"/> and starts
/// sending the VFS's invalidations to the kernel. <see cref="Completion"/> completes when the mount is
/// gone, however that happened (<see cref="Unmount"/>, `hddfs unmount`, `umount` from outside, a
/// connection abort); the daemon then exits.
/// </summary>
/// <remarks>
/// Ownership: the VFS and the logger factory belong to the caller and must outlive the mount (dispose the
/// VFS after <see cref="Completion"/>; if it is disposed earlier, requests still in flight get EIO).
/// Threads: every member is thread-safe. <see cref="Unmount"/> blocks (up to twice
/// <see cref="PartyMountOptions.UnmountTimeout"/>) and must never be called from inside a filesystem
/// operation. Immutable after construction except the Interlocked _unmountRequested flag.
/// </remarks>
public sealed class PartyMount : IAsyncDisposable
{
    private const string Subtype = "hddfs";

    // immutable
    private readonly FuseSession _session;
    private readonly VirtualFileSystem _vfs;
    private readonly InvalidationQueue _invalidations;
    private readonly EventHandler<VfsInvalidation> _onInvalidated;
    private readonly ILogger _logger;
    private readonly TimeSpan _unmountTimeout;

    // atomics
    private int _unmountRequested;

    private PartyMount(FuseSession session, VirtualFileSystem vfs, VfsFuseAdapter adapter, InvalidationQueue invalidations, EventHandler<VfsInvalidation> onInvalidated, ILogger logger, TimeSpan unmountTimeout)
    {
        _session = session;
        _vfs = vfs;
        Adapter = adapter;
        _invalidations = invalidations;
        _onInvalidated = onInvalidated;
        _logger = logger;
        _unmountTimeout = unmountTimeout;
        MountPoint = session.MountPoint!;
        _invalidations.Start(invalidation => InvalidationQueue.SendTo(session, invalidation));
        Completion = RunUntilUnmountedAsync();
    }

    /// <summary>The canonical path the party is mounted on.</summary>
    public string MountPoint { get; }

    /// <summary>Completes (never faults) once the kernel has let go of the mount and the last queued
    /// notification is dealt with.</summary>
    public Task Completion { get; }

    /// <summary>The FUSE name of the filesystem type: "fuse.hddfs".</summary>
    public static string FileSystemType => "fuse." + Subtype;

    internal VfsFuseAdapter Adapter { get; }

    internal FuseSession Session => _session;

    /// <summary>
    /// Mounts <paramref name="vfs"/> at <paramref name="mountPoint"/> and returns once the kernel's INIT
    /// was answered. Throws IOException when the mount point cannot be used (a file; already a mount
    /// point; allow_other without user_allow_other; a stale mount that cannot be repaired) or mounting
    /// fails, and OperationCanceledException if <paramref name="cancellationToken"/> fired (a mount made
    /// meanwhile is unmounted again).
    /// </summary>
    public static async Task<PartyMount> MountAsync(string mountPoint, VirtualFileSystem vfs, PartyMountOptions options, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(mountPoint);
        ArgumentNullException.ThrowIfNull(vfs);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        options.Validate();
        cancellationToken.ThrowIfCancellationRequested();

        var logger = loggerFactory.CreateLogger<PartyMount>();
        var path = await Task.Run(() => MountPointPreparation.Prepare(mountPoint, options.AllowOther, logger), cancellationToken).ConfigureAwait(false);

        var invalidations = new InvalidationQueue(options.InvalidationQueueCapacity, logger);
        var adapter = new VfsFuseAdapter(vfs, options.ExtendedAttributes, loggerFactory.CreateLogger<VfsFuseAdapter>());
        var fuseOptions = new FuseMountOptions
        {
            FsName = Subtype,
            Subtype = Subtype,
            ReadOnly = true,
            DefaultPermissions = true,
            AllowOther = options.AllowOther,
            MaxRead = 1 << 20,
            ReadAheadKb = options.ReadAheadKb,
            ReaderThreads = options.ReaderThreads,
            MaxBackground = options.MaxBackground,
            ReadDirPlus = true,
            AutoInvalidateData = false,
            UnmountTimeout = options.UnmountTimeout,
            Debug = options.TraceRequests,
            Log = FuseLogBridge.For(loggerFactory.CreateLogger("HddFs.Fuse")),
        };

        // Subscribed before mounting so no change noticed while the kernel starts using the mount is lost;
        // the queue holds them until the sender starts (after INIT, which notifications need).
        EventHandler<VfsInvalidation> onInvalidated = (_, invalidation) => invalidations.Enqueue(invalidation);
        vfs.Invalidated += onInvalidated;
        FuseSession session;
        try
        {
            // Blocking (mount(2) or fusermount3, then waiting for INIT): off the caller's thread.
            session = await Task.Run(() => FuseMount.Mount(path, fuseOptions, adapter), CancellationToken.None).ConfigureAwait(false);
        }
        catch
        {
            vfs.Invalidated -= onInvalidated;
            throw;
        }

        logger.Mounted(session.MountPoint!, session.MountMethod, session.DeviceId);
        var mount = new PartyMount(session, vfs, adapter, invalidations, onInvalidated, logger, options.UnmountTimeout);
        if (cancellationToken.IsCancellationRequested)
        {
            await mount.DisposeAsync().ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }

        return mount;
    }

    /// <summary>Counters of the session and of kernel notifications.</summary>
    public PartyMountStatistics GetStatistics()
        => new(_session.RequestCount, _session.RequestsInFlight, _invalidations.Sent, _invalidations.NotCached, _invalidations.Dropped, _invalidations.Failed);

    /// <summary>
    /// Unmounts (lazily, so a busy mount point is detached at once) and ends the session: requests in
    /// flight are cancelled and, like any request arriving afterwards, answered EIO (not EINTR, which
    /// programs retry); a session still busy after the unmount timeout is aborted.
    /// Idempotent; never throws for a mount that is already gone. Blocks; never call it from inside a
    /// filesystem operation.
    /// </summary>
    public void Unmount()
    {
        if (Interlocked.Exchange(ref _unmountRequested, 1) == 0)
        {
            _logger.Unmounting(MountPoint);
        }

        Adapter.BeginUnmount();
        _session.Unmount();
    }

    /// <summary>Unmounts and waits (bounded) for <see cref="Completion"/>. Idempotent.</summary>
    public async ValueTask DisposeAsync()
    {
        await Task.Run(Unmount).ConfigureAwait(false);
        var finished = await Task.WhenAny(Completion, Task.Delay(_unmountTimeout * 2)).ConfigureAwait(false);
        if (finished != Completion)
        {
            _logger.UnmountStuck(MountPoint);
        }
    }

    // Waits for the kernel to let go, then stops listening to the VFS and drains the notification queue.
    private async Task RunUntilUnmountedAsync()
    {
        await _session.Completion.ConfigureAwait(false);
        _vfs.Invalidated -= _onInvalidated;
        await _invalidations.StopAsync().ConfigureAwait(false);
        _logger.Unmounted(MountPoint);
    }
}

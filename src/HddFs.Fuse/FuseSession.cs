using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace HddFs.Fuse;

/// <summary>
/// A running FUSE connection: reader threads pulling requests from /dev/fuse, dispatching them through
/// one opcode table to a <see cref="FuseFileSystem"/>, and writing each reply from whichever thread the
/// operation completes on. Returned by <see cref="FuseMount.Mount"/>; ends when the filesystem is
/// unmounted (by <see cref="Unmount"/> or anyone else), when the kernel aborts the connection, or on
/// DESTROY. Disposing unmounts.
/// </summary>
/// <remarks>
/// Immutable after construction: the handle, the filesystem, options, mount point.
/// Thread-safe state: <c>_inFlight</c> (concurrent dictionary: unique → request, for INTERRUPT and for
/// cancelling everything at the end), counters updated with Interlocked.
/// Guarded by <c>_unmountLock</c>: <c>_detached</c> (the mount was detached by us).
/// No lock is held while calling the filesystem or writing to the device.
/// </remarks>
public sealed partial class FuseSession : IAsyncDisposable
{
    private const int InHeaderSize = 40;
    private const int OutHeaderSize = 16;

    private readonly FuseDeviceHandle _device;
    private readonly FuseFileSystem _fs;
    private readonly FuseMountOptions _options;
    private readonly Log _log;
    private readonly ReadBufferPool _readBuffers;
    private readonly int _requestBufferSize;
    private readonly ConcurrentDictionary<ulong, FuseRequest> _inFlight = new();
    private readonly TaskCompletionSource<FuseConnectionInfo> _initialized = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _unmountLock = new();
    private Thread[] _readers = [];
    private int _runningReaders;
    private int _ended;
    private int _destroyed;
    private bool _detached;
    private FuseConnectionInfo? _connection;
    private long _requestCount;

    internal FuseSession(FuseDeviceHandle device, FuseFileSystem fileSystem, FuseMountOptions options, string? mountPoint, FuseMountMethod method)
    {
        _device = device;
        _fs = fileSystem;
        _options = options;
        _log = new Log(options.Log, options.Debug);
        MountPoint = mountPoint;
        MountMethod = method;

        // The kernel refuses a read(2) buffer smaller than header + write_in + max_write (max_write = MaxRead).
        _requestBufferSize = Math.Max(Interop.FuseKernel.FUSE_MIN_READ_BUFFER, options.MaxRead + 4096);
        _readBuffers = new ReadBufferPool(OutHeaderSize + options.MaxRead, retain: options.MaxBackground + options.ReaderThreads);
    }

    /// <summary>Where the filesystem is mounted (null for a session on a bare descriptor, in tests).</summary>
    public string? MountPoint { get; }

    /// <summary>How the mount was made (decides how it is unmounted).</summary>
    public FuseMountMethod MountMethod { get; }

    /// <summary>The mount's device number "major:minor" (also the bdi and fusectl names), once known.</summary>
    public string? DeviceId { get; internal set; }

    /// <summary>What INIT negotiated; null until INIT completed.</summary>
    public FuseConnectionInfo? Connection => Volatile.Read(ref _connection);

    /// <summary>Completes when the session has ended: all reader threads returned and the device is closed.</summary>
    public Task Completion => _completion.Task;

    /// <summary>Requests received but not yet answered.</summary>
    public int RequestsInFlight => _inFlight.Count;

    /// <summary>Requests received since the start (all opcodes, FORGETs included).</summary>
    public long RequestCount => Interlocked.Read(ref _requestCount);

    internal Task<FuseConnectionInfo> Initialized => _initialized.Task;

    internal Log Logger => _log;

    /// <summary>Starts the reader threads. Called once, after the device is mounted (reading an unmounted /dev/fuse fails with EPERM).</summary>
    internal void Start()
    {
        _readers = new Thread[_options.ReaderThreads];
        _runningReaders = _readers.Length;
        for (var i = 0; i < _readers.Length; i++)
        {
            _readers[i] = new Thread(ReaderLoop)
            {
                IsBackground = true,
                Name = $"fuse-reader-{i}",
            };
        }

        foreach (var reader in _readers)
        {
            reader.Start();
        }
    }

    /// <summary>
    /// Unmounts (lazily: MNT_DETACH, or fusermount3 -u -z) and ends the session: in-flight operations get
    /// their token cancelled; if the session has not ended after <see cref="FuseMountOptions.UnmountTimeout"/>
    /// (a process still holds a file open and an operation ignores cancellation), the connection is aborted
    /// through fusectl. Idempotent, callable from any thread, and never throws for a mount that is already
    /// gone; failures are logged. Blocks for up to twice the timeout: never call it from inside a
    /// filesystem operation (it would wait for that operation's own answer).
    /// </summary>
    public void Unmount()
    {
        lock (_unmountLock)
        {
            if (!_detached)
            {
                _detached = true;
                if (MountPoint is not null)
                {
                    FuseMount.Detach(this);
                }
            }
        }

        if (_completion.Task.IsCompleted)
        {
            return;
        }

        CancelInFlight();
        if (_completion.Task.Wait(_options.UnmountTimeout))
        {
            return;
        }

        _log.Warning($"session on {MountPoint} still busy {_options.UnmountTimeout.TotalSeconds:0.#} s after unmount ({RequestsInFlight} requests in flight); aborting the connection");
        if (FuseMount.AbortConnection(this) && _completion.Task.Wait(_options.UnmountTimeout))
        {
            return;
        }

        _log.Error($"session on {MountPoint} did not end; its reader threads stay blocked until the kernel releases the connection");
    }

    /// <summary>Unmounts and waits for the session to end.</summary>
    public async ValueTask DisposeAsync()
    {
        await Task.Run(Unmount).ConfigureAwait(false);
        await Task.WhenAny(Completion, Task.Delay(_options.UnmountTimeout)).ConfigureAwait(false);
    }

    private void CancelInFlight()
    {
        foreach (var request in _inFlight.Values)
        {
            request.Interrupt();
        }
    }

    private unsafe void ReaderLoop()
    {
        var buffer = GC.AllocateUninitializedArray<byte>(_requestBufferSize, pinned: true);
        try
        {
            fixed (byte* p = buffer)
            {
                while (Volatile.Read(ref _ended) == 0)
                {
                    var n = Interop.Libc.read(_device, p, (nuint)buffer.Length);
                    if (n < 0)
                    {
                        var errno = (Errno)Marshal.GetLastPInvokeError();
                        if (errno is Errno.EINTR or Errno.EAGAIN or Errno.ENOENT)
                        {
                            continue; // interrupted syscall, or the request vanished while being read
                        }

                        if (errno is not (Errno.ENODEV or Errno.ECONNABORTED))
                        {
                            _log.Error($"read from /dev/fuse failed: {errno} ({Marshal.GetPInvokeErrorMessage((int)errno)}); ending the session");
                        }

                        break; // ENODEV: unmounted; ECONNABORTED: aborted
                    }

                    if (n == 0)
                    {
                        break; // end of file: only a test socket does this
                    }

                    Interlocked.Increment(ref _requestCount);
                    try
                    {
                        Dispatch(buffer.AsSpan(0, (int)n));
                    }
#pragma warning disable CA1031 // nothing may escape a reader thread
                    catch (Exception e)
                    {
                        _log.Error("unexpected failure dispatching a request", e);
                    }
#pragma warning restore CA1031
                }
            }
        }
        catch (ObjectDisposedException)
        {
            // The device handle was closed: the session is over.
        }
        finally
        {
            // The kernel wakes every reader with ENODEV when the connection goes, so the last one to
            // leave ends the session.
            if (Interlocked.Decrement(ref _runningReaders) == 0)
            {
                End();
            }
        }
    }

    /// <summary>Runs once, on the last reader thread to leave.</summary>
    private void End()
    {
        if (Interlocked.Exchange(ref _ended, 1) != 0)
        {
            return;
        }

        CancelInFlight();
        CallDestroy();
        _device.Dispose(); // closed for real once the last write in progress returns (SafeHandle ref count)
        _initialized.TrySetException(new IOException("The FUSE session ended before INIT completed."));
        _log.Information($"session on {MountPoint ?? "(no mount point)"} ended after {RequestCount} requests");
        _completion.TrySetResult();
    }

    private void CallDestroy()
    {
        if (Interlocked.Exchange(ref _destroyed, 1) != 0)
        {
            return;
        }

        try
        {
            _fs.Destroy();
        }
#pragma warning disable CA1031 // filesystem code must not take a reader thread down
        catch (Exception e)
        {
            _log.Error("FuseFileSystem.Destroy threw", e);
        }
#pragma warning restore CA1031
    }

    /// <summary>Runs a session over an already connected descriptor (protocol tests feed it a SOCK_SEQPACKET socket).</summary>
    internal static FuseSession StartOnDescriptor(FuseDeviceHandle device, FuseFileSystem fileSystem, FuseMountOptions options)
    {
        options.Validate();
        var session = new FuseSession(device, fileSystem, options, mountPoint: null, FuseMountMethod.Syscall);
        session.Start();
        return session;
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using static HddFs.Fuse.Interop;

namespace HddFs.Fuse;

/// <summary>
/// Mounting, unmounting and stale-mount repair. Root mounts with mount(2) on a /dev/fuse descriptor it
/// opened itself; anyone else goes through the set-uid fusermount3, which mounts and passes the
/// descriptor back over a Unix socket (SCM_RIGHTS). Stateless and thread-safe.
/// </summary>
public static class FuseMount
{
    private const string FuseDevice = "/dev/fuse";
    private const string Fusermount = "fusermount3";
    private const string FuseConnections = "/sys/fs/fuse/connections";

    private static bool IsRoot => Libc.geteuid() == 0;

    /// <summary>
    /// Mounts <paramref name="fileSystem"/> at <paramref name="mountPoint"/> (an existing directory; a non-empty
    /// one is allowed and hidden while mounted, as fuse3 does by default) and returns the running session
    /// once the kernel's INIT has been answered and, as root, the readahead raised.
    /// Throws IOException if the mount point is a stale FUSE mount (see <see cref="RepairStale"/>) or
    /// mounting fails.
    /// </summary>
    public static FuseSession Mount(string mountPoint, FuseMountOptions options, FuseFileSystem fileSystem)
    {
        ArgumentException.ThrowIfNullOrEmpty(mountPoint);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(fileSystem);
        options.Validate();

        var path = Path.GetFullPath(mountPoint);
        if (IsStale(path))
        {
            throw new IOException($"{path} is a stale FUSE mount (Transport endpoint is not connected); call FuseMount.RepairStale first.");
        }

        if (!Directory.Exists(path))
        {
            throw new DirectoryNotFoundException($"Mount point {path} is not an existing directory.");
        }

        path = RealPath(path) ?? path;
        var method = options.Method == FuseMountMethod.Auto ? (IsRoot ? FuseMountMethod.Syscall : FuseMountMethod.Fusermount) : options.Method;
        var device = method == FuseMountMethod.Syscall ? MountWithSyscall(path, options) : MountWithFusermount(path, options);
        var session = new FuseSession(device, fileSystem, options, path, method);
        try
        {
            session.Start();
            WaitForInit(session, options.InitTimeout);
            session.DeviceId = MountTable.FindFuse(path)?.DeviceId;
            if (session.DeviceId is null)
            {
                session.Logger.Warning($"mounted {path} but cannot find it in /proc/self/mountinfo; readahead and abort are unavailable");
            }

            RaiseReadahead(session, options);
        }
        catch
        {
            session.Unmount();
            throw;
        }

        return session;
    }

    /// <summary>
    /// True when <paramref name="path"/> is a FUSE mount whose daemon is gone: statfs or open fails with
    /// ENOTCONN ("Transport endpoint is not connected") or ECONNABORTED.
    /// </summary>
    public static unsafe bool IsStale(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        statfs buffer;
        if (Libc.statfs(path, &buffer) != 0 && IsDisconnected(Marshal.GetLastPInvokeError()))
        {
            return true;
        }

        var fd = Libc.open(path, Libc.O_RDONLY | Libc.O_CLOEXEC);
        if (fd >= 0)
        {
            _ = Libc.close(fd);
            return false;
        }

        return IsDisconnected(Marshal.GetLastPInvokeError());
    }

    /// <summary>
    /// If <paramref name="path"/> is stale, unmounts it lazily (umount2 MNT_DETACH as root, fusermount3 -u -z
    /// otherwise) and returns true; returns false if it was not stale. Throws IOException if the unmount fails.
    /// </summary>
    public static bool RepairStale(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        if (!IsStale(full))
        {
            return false;
        }

        var error = DetachPath(full);
        if (error is not null)
        {
            throw new IOException($"Cannot unmount stale mount {full}: {error}");
        }

        return true;
    }

    /// <summary>
    /// Lazily unmounts the FUSE mount at <paramref name="path"/>, live or stale (the filesystem's session
    /// then ends, as if the user ran `fusermount3 -u -z`). Refuses a path where no FUSE filesystem is
    /// mounted, so it never unmounts anything else. Throws IOException on failure.
    /// </summary>
    public static void Unmount(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        if (MountTable.FindFuse(full) is null)
        {
            throw new IOException($"{full} is not a FUSE mount.");
        }

        var error = DetachPath(full);
        if (error is not null)
        {
            throw new IOException($"Cannot unmount {full}: {error}");
        }
    }

    private static bool IsDisconnected(int errno) => (Errno)errno is Errno.ENOTCONN or Errno.ECONNABORTED;

    private static FuseDeviceHandle MountWithSyscall(string path, FuseMountOptions options)
    {
        var fd = Libc.open(FuseDevice, Libc.O_RDWR | Libc.O_CLOEXEC);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"Cannot open {FuseDevice}: {Marshal.GetPInvokeErrorMessage(errno)} (mount(2) needs root; use FuseMountMethod.Fusermount).");
        }

        var device = new FuseDeviceHandle(fd);
        var data = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"fd={fd},rootmode=40000,user_id={Libc.getuid()},group_id={Libc.getgid()},max_read={options.MaxRead}");
        if (options.AllowOther)
        {
            data.Append(",allow_other");
        }

        if (options.DefaultPermissions)
        {
            data.Append(",default_permissions");
        }

        var type = options.Subtype is null ? "fuse" : "fuse." + options.Subtype;
        var flags = Libc.MS_NOSUID | Libc.MS_NODEV | (options.ReadOnly ? Libc.MS_RDONLY : 0);
        if (Libc.mount(options.EffectiveFsName, path, type, (nuint)flags, data.ToString()) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            device.Dispose();
            throw new IOException($"mount({path}, {type}) failed: {Marshal.GetPInvokeErrorMessage(errno)}.");
        }

        return device;
    }

    private static unsafe FuseDeviceHandle MountWithFusermount(string path, FuseMountOptions options)
    {
        var pair = stackalloc int[2];
        if (Libc.socketpair(Libc.AF_UNIX, Libc.SOCK_STREAM | Libc.SOCK_CLOEXEC, 0, pair) != 0)
        {
            throw new IOException($"socketpair failed: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }

        int ours = pair[0], theirs = pair[1];
        try
        {
            // Only fusermount3's end is inherited. (A child another thread spawns right now inherits it
            // too; that only delays EOF on the socket, which we do not wait for.)
            if (Libc.fcntl(theirs, Libc.F_SETFD, 0) != 0)
            {
                throw new IOException($"fcntl failed: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
            }

            var mountOptions = new List<string> { options.ReadOnly ? "ro" : "rw", "nosuid", "nodev", "fsname=" + options.EffectiveFsName, "max_read=" + options.MaxRead.ToString(CultureInfo.InvariantCulture) };
            if (options.Subtype is not null)
            {
                mountOptions.Add("subtype=" + options.Subtype);
            }

            if (options.AllowOther)
            {
                mountOptions.Add("allow_other");
            }

            if (options.DefaultPermissions)
            {
                mountOptions.Add("default_permissions");
            }

            var start = new ProcessStartInfo(Fusermount) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            start.ArgumentList.Add("-o");
            start.ArgumentList.Add(string.Join(',', mountOptions));
            start.ArgumentList.Add("--");
            start.ArgumentList.Add(path);
            start.Environment["_FUSE_COMMFD"] = theirs.ToString(CultureInfo.InvariantCulture);
            var (exitCode, output) = RunTool(start);
            _ = Libc.close(theirs);
            theirs = -1;
            if (exitCode != 0)
            {
                throw new IOException($"fusermount3 could not mount {path} (exit {exitCode}): {output.Trim()}");
            }

            return new FuseDeviceHandle(ReceiveDescriptor(ours));
        }
        finally
        {
            _ = Libc.close(ours);
            if (theirs >= 0)
            {
                _ = Libc.close(theirs);
            }
        }
    }

    /// <summary>Receives the one descriptor fusermount3 sends with SCM_RIGHTS.</summary>
    private static unsafe int ReceiveDescriptor(int socket)
    {
        byte data;
        const int ControlSize = 64;
        var control = stackalloc byte[ControlSize];
        var iov = new iovec { iov_base = (nint)(&data), iov_len = 1 };
        var message = new msghdr { msg_iov = (nint)(&iov), msg_iovlen = 1, msg_control = (nint)control, msg_controllen = ControlSize };
        nint received;
        do
        {
            received = Libc.recvmsg(socket, &message, Libc.MSG_CMSG_CLOEXEC);
        }
        while (received < 0 && (Errno)Marshal.GetLastPInvokeError() == Errno.EINTR);

        if (received < 0)
        {
            throw new IOException($"Receiving the /dev/fuse descriptor failed: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }

        var header = (cmsghdr*)control;
        if (message.msg_controllen < (nuint)sizeof(cmsghdr) || header->cmsg_level != Libc.SOL_SOCKET || header->cmsg_type != Libc.SCM_RIGHTS)
        {
            throw new IOException("fusermount3 exited without sending the /dev/fuse descriptor.");
        }

        return *(int*)(control + sizeof(cmsghdr)); // CMSG_DATA
    }

    private static void WaitForInit(FuseSession session, TimeSpan timeout)
    {
        var initialized = session.Initialized;
        Task.WaitAny([initialized, session.Completion], timeout);
        if (initialized.IsCompletedSuccessfully)
        {
            return;
        }

        if (initialized.IsFaulted)
        {
            throw new IOException("The FUSE connection failed during INIT.", initialized.Exception.InnerException);
        }

        throw new TimeoutException($"The kernel sent no FUSE INIT within {timeout.TotalSeconds:0.#} s.");
    }

    private static void RaiseReadahead(FuseSession session, FuseMountOptions options)
    {
        if (options.ReadAheadKb is not { } kb || session.DeviceId is null)
        {
            return;
        }

        var path = $"/sys/class/bdi/{session.DeviceId}/read_ahead_kb";
        if (!IsRoot)
        {
            session.Logger.Information($"not root: readahead stays at the kernel default (cannot write {path})");
            return;
        }

        try
        {
            File.WriteAllText(path, kb.ToString(CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            session.Logger.Warning($"cannot raise readahead through {path}", e);
        }
    }

    /// <summary>Detaches the session's mount if it is still there (never someone else's mount on the same path).</summary>
    internal static void Detach(FuseSession session)
    {
        var mountPoint = session.MountPoint!;
        try
        {
            if (session.DeviceId is { } device && !MountTable.IsMounted(mountPoint, device))
            {
                return; // unmounted by someone else already
            }
        }
        catch (IOException e)
        {
            session.Logger.Warning("cannot read /proc/self/mountinfo", e);
        }

        var error = DetachPath(mountPoint);
        if (error is not null)
        {
            session.Logger.Warning($"unmounting {mountPoint}: {error}");
        }
    }

    /// <summary>Lazy unmount; returns null on success or when nothing is mounted there, else the error.</summary>
    private static string? DetachPath(string mountPoint)
    {
        if (IsRoot)
        {
            if (Libc.umount2(mountPoint, Libc.MNT_DETACH) == 0)
            {
                return null;
            }

            var errno = Marshal.GetLastPInvokeError();
            return (Errno)errno is Errno.EINVAL or Errno.ENOENT ? null : Marshal.GetPInvokeErrorMessage(errno);
        }

        var start = new ProcessStartInfo(Fusermount) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in new[] { "-u", "-z", "--", mountPoint })
        {
            start.ArgumentList.Add(argument);
        }

        var (exitCode, output) = RunTool(start);
        return exitCode == 0 || output.Contains("not mounted", StringComparison.Ordinal) ? null : $"fusermount3 -u -z exited {exitCode}: {output.Trim()}";
    }

    /// <summary>
    /// Aborts the connection through fusectl (/sys/fs/fuse/connections/&lt;minor&gt;/abort, mounting fusectl there
    /// first if needed): every waiting request fails and the readers see ENODEV. Root only.
    /// </summary>
    internal static bool AbortConnection(FuseSession session)
    {
        if (session.DeviceId is not { } device || !IsRoot)
        {
            return false;
        }

        var abort = Path.Combine(FuseConnections, MountTable.Minor(device), "abort");
        try
        {
            if (!File.Exists(abort) && Directory.Exists(FuseConnections) && !Directory.EnumerateFileSystemEntries(FuseConnections).Any())
            {
                if (Libc.mount("fusectl", FuseConnections, "fusectl", 0, null) != 0)
                {
                    session.Logger.Warning($"cannot mount fusectl on {FuseConnections}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
                }
            }

            File.WriteAllText(abort, "1");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            session.Logger.Warning($"cannot abort the connection through {abort}", e);
            return false;
        }
    }

    private static (int ExitCode, string Output) RunTool(ProcessStartInfo start)
    {
        try
        {
            using var process = Process.Start(start) ?? throw new IOException($"Cannot start {start.FileName}.");
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
            {
                process.Kill();
                return (-1, $"{start.FileName} timed out");
            }

            return (process.ExitCode, stderr.GetAwaiter().GetResult() + stdout.GetAwaiter().GetResult());
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, $"cannot run {start.FileName} (install fuse3): {e.Message}");
        }
    }

    private static unsafe string? RealPath(string path)
    {
        var buffer = stackalloc byte[Libc.PATH_MAX];
        var resolved = Libc.realpath(path, buffer);
        return resolved == null ? null : Marshal.PtrToStringUTF8((nint)resolved);
    }
}

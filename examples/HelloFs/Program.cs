using System.Globalization;
using System.Runtime.InteropServices;
using HddFs.Fuse;
using HelloFs;

// HelloFs MOUNTPOINT [--size-mib N] [--files N] [--readahead-kb N] [--threads N] [--no-xattrs] [--fusermount] [--debug]
// Mounts until SIGINT/SIGTERM, then unmounts cleanly. Prints "mounted <path>" once ready.
if (args.Length < 1 || args[0].StartsWith('-'))
{
    Console.Error.WriteLine("usage: HelloFs MOUNTPOINT [--size-mib N] [--files N] [--readahead-kb N] [--threads N] [--no-xattrs] [--fusermount] [--debug]");
    return 2;
}

var mountPoint = args[0];
long sizeMib = 1024;
int files = 1000, threads = 4;
int? readaheadKb = null;
bool debug = false, fusermount = false, xattrs = true;
for (var i = 1; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--size-mib": sizeMib = long.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--files": files = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--readahead-kb": readaheadKb = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--threads": threads = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--debug": debug = true; break;
        case "--no-xattrs": xattrs = false; break;
        case "--fusermount": fusermount = true; break;
        default:
            Console.Error.WriteLine($"unknown option {args[i]}");
            return 2;
    }
}

// A previous run killed hard leaves "Transport endpoint is not connected": repair it first.
if (FuseMount.RepairStale(mountPoint))
{
    Console.Error.WriteLine($"repaired a stale mount at {mountPoint}");
}

var options = new FuseMountOptions
{
    FsName = "hellofs",
    Subtype = "hellofs",
    ReadAheadKb = readaheadKb,
    ReaderThreads = threads,
    Debug = debug,
    Method = fusermount ? FuseMountMethod.Fusermount : FuseMountMethod.Auto,
    Log = (level, message, exception) =>
    {
        if (level >= FuseLogLevel.Warning || debug)
        {
            Console.Error.WriteLine(exception is null ? $"[{level}] {message}" : $"[{level}] {message}: {exception}");
        }
    },
};

FuseSession session;
try
{
    session = FuseMount.Mount(mountPoint, options, new HelloFileSystem(sizeMib << 20, files, xattrs));
}
catch (Exception e) when (e is IOException or TimeoutException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"cannot mount {mountPoint}: {e.Message}");
    return 1;
}

await using (session)
{
    var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true; // we exit on our own after unmounting
        stop.TrySetResult();
    }

    using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
    using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
    Console.WriteLine($"mounted {session.MountPoint} (FUSE 7.{session.Connection!.Minor}, max_read {session.Connection.MaxRead}); Ctrl+C to unmount");

    await Task.WhenAny(stop.Task, session.Completion);
    if (session.Completion.IsCompleted)
    {
        Console.Error.WriteLine("unmounted from outside");
    }
}

Console.WriteLine("unmounted");
return 0;

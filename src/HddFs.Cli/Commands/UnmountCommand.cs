using System.CommandLine;
using HddFs.Fuse;

namespace HddFs.Cli.Commands;

/// <summary>`hddfs unmount MOUNTPOINT`: detaches the mount (also a stale one). The daemon notices and stops.</summary>
internal static class UnmountCommand
{
    public static Command Create()
    {
        var mountPoint = new Argument<string>("MOUNTPOINT");
        var command = new Command("unmount", "Unmount an hddfs mount (also repairs a stale one).");
        command.Arguments.Add(mountPoint);
        command.SetAction((result, ct) => CliErrors.RunAsync(() =>
        {
            var path = Path.GetFullPath(result.GetValue(mountPoint)!);
            FuseMount.Unmount(path);
            Console.WriteLine($"unmounted {path}");
            return Task.FromResult(0);
        }));
        return command;
    }
}

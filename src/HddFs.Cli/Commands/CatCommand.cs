using System.CommandLine;

namespace HddFs.Cli.Commands;

/// <summary>`hddfs cat PEER/PATH [--offset N] [--length N]`: a file's bytes to stdout.</summary>
internal static class CatCommand
{
    public static Command Create()
    {
        var target = new Argument<string>("PEER/PATH") { Description = "Peer (name, key prefix or key) and file path." };
        var offset = new Option<long>("--offset") { Description = "First byte to read.", DefaultValueFactory = _ => 0 };
        var length = new Option<long?>("--length") { Description = "Number of bytes to read (default: to the end)." };
        var command = new Command("cat", "Write a peer's file (or a byte range of it) to standard output.");
        command.Arguments.Add(target);
        command.Options.Add(offset);
        command.Options.Add(length);
        command.Validators.Add(r =>
        {
            if (r.GetValue(offset) < 0 || r.GetValue(length) is < 0)
            {
                r.AddError("--offset and --length must not be negative.");
            }
        });
        command.SetAction((result, ct) => CliErrors.RunAsync(async () =>
        {
            var (peer, path) = Output.SplitPeerPath(result.GetValue(target)!);
            if (path.Length == 0)
            {
                await Console.Error.WriteLineAsync("hddfs: give a file: PEER/PATH");
                return 2;
            }

            using var client = CommonOptions.Connect(result);
            await using var stdout = Console.OpenStandardOutput();
            await client.CatAsync(peer, path, result.GetValue(offset), result.GetValue(length), stdout, ct);
            return 0;
        }));
        return command;
    }
}

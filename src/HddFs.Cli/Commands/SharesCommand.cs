using System.CommandLine;
using System.Text.Json;
using HddFs.Daemon.Control;

namespace HddFs.Cli.Commands;

/// <summary>`hddfs shares [add DIR | remove NAME]`.</summary>
internal static class SharesCommand
{
    public static Command Create()
    {
        var command = new Command("shares", "List, add or remove shared directories of the running daemon.");
        command.Options.Add(CommonOptions.Json);
        command.SetAction((result, ct) => CliErrors.RunAsync(async () =>
        {
            using var client = CommonOptions.Connect(result);
            var shares = await client.GetSharesAsync(ct);
            if (result.GetValue(CommonOptions.Json))
            {
                Console.WriteLine(JsonSerializer.Serialize(shares, ControlJson.Default.ShareInfoArray));
                return 0;
            }

            foreach (var s in shares)
            {
                Console.WriteLine($"{s.Name,-20} {Output.Size(s.Bytes),10}  {s.Path}");
            }

            return 0;
        }));

        var dir = new Argument<string>("DIR") { Description = "Directory to share." };
        var add = new Command("add", "Share a directory.");
        add.Arguments.Add(dir);
        add.SetAction((result, ct) => CliErrors.RunAsync(async () =>
        {
            using var client = CommonOptions.Connect(result);
            var share = await client.AddShareAsync(Path.GetFullPath(result.GetValue(dir)!), ct);
            Console.WriteLine($"sharing {share.Path} as {share.Name}");
            return 0;
        }));

        var name = new Argument<string>("NAME") { Description = "Share name (as `hddfs shares` lists it)." };
        var remove = new Command("remove", "Stop sharing a directory.");
        remove.Arguments.Add(name);
        remove.SetAction((result, ct) => CliErrors.RunAsync(async () =>
        {
            using var client = CommonOptions.Connect(result);
            await client.RemoveShareAsync(result.GetValue(name)!, ct);
            Console.WriteLine($"stopped sharing {result.GetValue(name)}");
            return 0;
        }));

        command.Subcommands.Add(add);
        command.Subcommands.Add(remove);
        return command;
    }
}

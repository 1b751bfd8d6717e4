using System.CommandLine;
using HddFs.Cli;
using HddFs.Cli.Commands;

var root = new RootCommand("hddfs — a peer-to-peer hard drive party. Peers meet on a topic; every peer's shares appear as a folder under your mount.");
root.Options.Add(CommonOptions.DataDir);
root.Options.Add(CommonOptions.Verbose);
root.Subcommands.Add(DaemonCommands.CreateMount());
root.Subcommands.Add(DaemonCommands.CreateStart());
root.Subcommands.Add(IdCommand.Create());
root.Subcommands.Add(PeersCommand.Create());
root.Subcommands.Add(LsCommand.Create());
root.Subcommands.Add(CatCommand.Create());
root.Subcommands.Add(SharesCommand.Create());
root.Subcommands.Add(TopicsCommand.Create());
root.Subcommands.Add(UnmountCommand.Create());
var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    // Usage errors: the reasons, a pointer to help, and exit status 2 (as for other Unix tools).
    foreach (var error in parsed.Errors)
    {
        await Console.Error.WriteLineAsync("hddfs: " + error.Message);
    }

    await Console.Error.WriteLineAsync($"See 'hddfs {string.Join(' ', CommandPath(parsed.CommandResult))} --help'.".Replace("  ", " ", StringComparison.Ordinal));
    return 2;
}

return await parsed.InvokeAsync();

static IEnumerable<string> CommandPath(System.CommandLine.Parsing.CommandResult? result)
{
    var names = new Stack<string>();
    for (var r = result; r?.Parent is System.CommandLine.Parsing.CommandResult parent; r = parent)
    {
        names.Push(r.Command.Name);
    }

    return names;
}

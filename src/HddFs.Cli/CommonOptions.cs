using System.CommandLine;
using HddFs.Daemon.Control;
using HddFs.Peers.Identity;

namespace HddFs.Cli;

/// <summary>Options every verb understands (declared recursive on the root command).</summary>
internal static class CommonOptions
{
    public static readonly Option<string?> DataDir = new("--data-dir")
    {
        Description = "Data directory (identity, index, cache, control socket). Default: $XDG_DATA_HOME/hddfs or ~/.local/share/hddfs. Lets several instances run on one machine.",
        Recursive = true,
    };

    public static readonly Option<bool> Verbose = new("--verbose", "-v")
    {
        Description = "Log more.",
        Recursive = true,
    };

    public static readonly Option<bool> Json = new("--json")
    {
        Description = "Machine-readable JSON output.",
    };

    public static string ResolveDataDir(ParseResult result) => DataDirectory.Resolve(result.GetValue(DataDir));

    public static ControlClient Connect(ParseResult result)
        => new(ControlSocket.PathFor(ResolveDataDir(result)));
}

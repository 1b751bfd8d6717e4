using System.CommandLine;
using System.Text.Json;
using HddFs.Daemon.Control;

namespace HddFs.Cli.Commands;

/// <summary>`hddfs peers`: connected and known peers of the running daemon.</summary>
internal static class PeersCommand
{
    public static Command Create()
    {
        var command = new Command("peers", "List connected and known peers.");
        command.Options.Add(CommonOptions.Json);
        command.SetAction((result, ct) => CliErrors.RunAsync(async () =>
        {
            using var client = CommonOptions.Connect(result);
            var peers = await client.GetPeersAsync(ct);
            if (result.GetValue(CommonOptions.Json))
            {
                Console.WriteLine(JsonSerializer.Serialize(peers, ControlJson.Default.PeerStatusArray));
                return 0;
            }

            foreach (var p in peers)
            {
                var state = p.Self ? "self" : p.Connected ? "connected" : "offline";
                var topics = p.Topics.Count == 0 ? "" : "  topics: " + string.Join(",", p.Topics);
                if (p.Nat is { } nat)
                {
                    topics += "  nat: " + nat;
                }

                Console.WriteLine($"{p.Name,-24} {p.Key[..16]}  {state,-9} {p.Address ?? "-"}{topics}");
            }

            return 0;
        }));
        return command;
    }
}

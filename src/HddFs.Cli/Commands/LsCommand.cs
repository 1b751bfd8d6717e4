using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;
using HddFs.Daemon.Control;

namespace HddFs.Cli.Commands;

/// <summary>`hddfs ls [PEER[/PATH]] [--search TERM] [--recursive]`. Without a peer: the peers, as the
/// mount's root shows them.</summary>
internal static class LsCommand
{
    public static Command Create()
    {
        var target = new Argument<string?>("PEER/PATH") { Description = "Peer (name, key prefix or key), optionally followed by /path.", Arity = ArgumentArity.ZeroOrOne };
        var search = new Option<string?>("--search", "-s") { Description = "Case-insensitive name search in the whole subtree under the path." };
        var recursive = new Option<bool>("--recursive", "-r") { Description = "List the whole subtree." };
        var command = new Command("ls", "List a peer's shared files.");
        command.Arguments.Add(target);
        command.Options.Add(search);
        command.Options.Add(recursive);
        command.Options.Add(CommonOptions.Json);
        command.SetAction((result, ct) => CliErrors.RunAsync(async () =>
        {
            using var client = CommonOptions.Connect(result);
            var json = result.GetValue(CommonOptions.Json);
            var text = result.GetValue(target);
            if (string.IsNullOrEmpty(text))
            {
                var peers = await client.GetPeersAsync(ct);
                if (json)
                {
                    Console.WriteLine(JsonSerializer.Serialize(peers, ControlJson.Default.PeerStatusArray));
                }
                else
                {
                    foreach (var p in peers)
                    {
                        Console.WriteLine(p.Name + "/");
                    }
                }

                return 0;
            }

            var (peer, path) = Output.SplitPeerPath(text);
            var peerInfo = (await client.GetPeersAsync(ct)).FirstOrDefault(p => p.Name == peer || p.Key.StartsWith(peer, StringComparison.OrdinalIgnoreCase));
            var entries = client.ListAsync(peer, path, result.GetValue(search), result.GetValue(recursive), ct);
            if (json)
            {
                var all = new List<EntryInfo>();
                await foreach (var e in entries)
                {
                    all.Add(e);
                }

                var doc = new LsJson(peerInfo?.Name ?? peer, peerInfo?.Key, path, all);
                Console.WriteLine(JsonSerializer.Serialize(doc, LsJsonContext.Default.LsJson));
                return 0;
            }

            await foreach (var e in entries)
            {
                var name = result.GetValue(recursive) || !string.IsNullOrEmpty(result.GetValue(search)) ? e.Path : e.Name;
                Console.WriteLine($"{(e.Directory ? 'd' : '-')} {Output.Size(e.Size),10}  {Output.Time(e.Modified)}  {name}{(e.Directory ? "/" : "")}");
            }

            return 0;
        }));
        return command;
    }
}

/// <summary>`ls --json`: the peer (name and full key) and its entries.</summary>
internal sealed record LsJson(string Peer, string? Key, string Path, IReadOnlyList<EntryInfo> Entries);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(LsJson))]
internal sealed partial class LsJsonContext : JsonSerializerContext;

using System.CommandLine;
using System.Text.Json;
using HddFs.Daemon.Control;
using HddFs.Peers.Identity;

namespace HddFs.Cli.Commands;

/// <summary>`hddfs id`: this node's name, fingerprint and key. Reads the data directory directly, so it
/// works without a running daemon (and creates the identity on first use).</summary>
internal static class IdCommand
{
    public static Command Create()
    {
        var command = new Command("id", "Print this node's peer name, fingerprint and public key.");
        command.Options.Add(CommonOptions.Json);
        command.SetAction((result, ct) => CliErrors.RunAsync(() =>
        {
            using var identity = NodeIdentity.LoadOrCreate(CommonOptions.ResolveDataDir(result));
            var info = new IdentityInfo(identity.Name, identity.Id.Fingerprint, identity.Id.ToHex());
            if (result.GetValue(CommonOptions.Json))
            {
                Console.WriteLine(JsonSerializer.Serialize(info, ControlJson.Default.IdentityInfo));
            }
            else
            {
                Console.WriteLine($"name:        {info.Name}");
                Console.WriteLine($"fingerprint: {info.Fingerprint}");
                Console.WriteLine($"key:         {info.Key}");
            }

            return Task.FromResult(0);
        }));
        return command;
    }
}

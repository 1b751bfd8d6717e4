using System.Text.Json;
using HddFs.Testing;

namespace HddFs.Bench.Infra;

/// <summary>A peer as `hddfs peers --json` shows it.</summary>
internal sealed record PeerJson(string Name, string Key, bool Self, bool Connected);

/// <summary>
/// How the bench runs the real CLI: $HDDFS_BIN when set, else the hddfs.dll built next to this bench (it
/// references HddFs.Cli) through `dotnet`, else bin/hddfs from `make build`.
/// </summary>
internal static class HddfsCli
{
    public static (string File, string[] Prefix) Command()
    {
        if (Environment.GetEnvironmentVariable("HDDFS_BIN") is { Length: > 0 } explicitBinary)
        {
            return (explicitBinary, []);
        }

        var local = Path.Combine(AppContext.BaseDirectory, "hddfs.dll");
        if (File.Exists(local))
        {
            return (Prerequisites.FindExecutable("dotnet") ?? "dotnet", [local]);
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var published = Path.Combine(dir.FullName, "bin", "hddfs");
            if (File.Exists(published) && File.Exists(Path.Combine(dir.FullName, "HddFs.sln")))
            {
                return (published, []);
            }
        }

        throw new FileNotFoundException("hddfs not found: neither hddfs.dll next to the bench nor bin/hddfs (run `make build`), and HDDFS_BIN is not set.");
    }

    /// <summary>Runs a short CLI verb (id, peers, cat...) and captures its output.</summary>
    public static ProcessRunner.Result Run(IEnumerable<string> arguments, TimeSpan? timeout = null)
    {
        var (file, prefix) = Command();
        return ProcessRunner.Run(file, [.. prefix, .. arguments], timeout ?? TimeSpan.FromSeconds(60));
    }

    /// <summary>`hddfs id --json`: the node's display name (creates the identity on first use).</summary>
    public static string PeerName(string dataDirectory)
    {
        var result = Run(["id", "--json", "--data-dir", dataDirectory]).EnsureSuccess("hddfs id --json");
        using var json = JsonDocument.Parse(result.StandardOutput);
        return Text(json.RootElement, "name");
    }

    /// <summary>`hddfs peers --json` of the daemon with this data directory; throws when it does not answer.</summary>
    public static IReadOnlyList<PeerJson> Peers(string dataDirectory)
    {
        var result = Run(["peers", "--json", "--data-dir", dataDirectory], TimeSpan.FromSeconds(30)).EnsureSuccess("hddfs peers --json");
        using var json = JsonDocument.Parse(result.StandardOutput);
        return json.RootElement.EnumerateArray()
            .Select(p => new PeerJson(Text(p, "name"), Text(p, "key"), Flag(p, "self"), Flag(p, "connected")))
            .ToList();
    }

    private static JsonElement? Property(JsonElement element, string name)
        => element.EnumerateObject().Where(p => p.NameEquals(name) || string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
            .Select(p => (JsonElement?)p.Value).FirstOrDefault();

    private static string Text(JsonElement element, string name)
        => Property(element, name) is { ValueKind: JsonValueKind.String } value ? value.GetString()! : throw new InvalidOperationException($"hddfs JSON has no string '{name}': {element}");

    private static bool Flag(JsonElement element, string name)
        => Property(element, name) is { ValueKind: JsonValueKind.True };
}

using System.CommandLine;
using System.Net;
using HddFs.Cache;
using HddFs.Daemon;
using Microsoft.Extensions.Logging;

namespace HddFs.Cli.Commands;

/// <summary>`hddfs start` (daemon without a mount, e.g. on a NAS) and `hddfs mount MOUNTPOINT`
/// (daemon and mount). Both run in the foreground until SIGINT/SIGTERM, then shut down cleanly.</summary>
internal static class DaemonCommands
{
    private static readonly Option<string[]> Topic = new("--topic", "-t") { Description = "Topic to join (repeatable). Joined topics are remembered in the data directory." };
    private static readonly Option<string[]> Share = new("--share") { Description = "Directory to share (repeatable)." };
    private static readonly Option<int> Port = new("--port", "-p") { Description = "UDP port for QUIC (0 = any free port).", DefaultValueFactory = _ => 0 };
    private static readonly Option<string[]> Peer = new("--peer") { Description = "Dial this peer directly, HOST:PORT (repeatable)." };
    private static readonly Option<string?> Mqtt = new("--mqtt") { Description = "MQTT broker URL for discovery (mqtt:// or mqtts://).", DefaultValueFactory = _ => "mqtt://test.mosquitto.org:1883" };
    private static readonly Option<bool> NoMqtt = new("--no-mqtt") { Description = "Do not use an MQTT broker." };
    private static readonly Option<bool> NoMdns = new("--no-mdns") { Description = "Do not use mDNS on the LAN." };
    private static readonly Option<string[]> Stun = new("--stun") { Description = "STUN server HOST:PORT to learn the public address (repeatable)." };
    private static readonly Option<string> CacheSizeOption = new("--cache-size") { Description = "Hard cap of the on-disk block cache (e.g. 10G, 512M).", DefaultValueFactory = _ => "10G" };
    private static readonly Option<string> PrefetchWindow = new("--prefetch-window") { Description = "Largest read-ahead window for sequential readers (0 disables; tuning and benchmarks).", DefaultValueFactory = _ => "64M", Hidden = true };
    private static readonly Option<double> Timeout = new("--timeout") { Description = "Seconds a request to a peer may stall before it fails (the mount then answers EIO).", DefaultValueFactory = _ => 4 };

    static DaemonCommands()
    {
        // Per-option validators: they see the value given (defaults are valid by construction).
        Port.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 0 or > 65535)
            {
                r.AddError("--port must be between 0 and 65535.");
            }
        });
        CacheSizeOption.Validators.Add(r =>
        {
            if (!TryCacheSize(r.GetValueOrDefault<string>(), out _, out var error))
            {
                r.AddError("--cache-size: " + error);
            }
        });
        Mqtt.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string?>() is { } url && !(Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "mqtt" or "mqtts"))
            {
                r.AddError($"--mqtt must be an mqtt:// or mqtts:// URL, got '{url}'.");
            }
        });
        PrefetchWindow.Validators.Add(r =>
        {
            if (!TryWindow(r.GetValueOrDefault<string>(), out _))
            {
                r.AddError("--prefetch-window must be a size such as 0, 8M or 64M.");
            }
        });
        Timeout.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double>() is <= 0 or > 3600)
            {
                r.AddError("--timeout must be between 0 and 3600 seconds.");
            }
        });
    }

    public static Command CreateStart()
    {
        var command = new Command("start", "Run the daemon in the foreground without a mount (e.g. on a NAS).");
        AddDaemonOptions(command);
        command.SetAction((result, ct) => RunAsync(result, mountPoint: null, ct));
        return command;
    }

    public static Command CreateMount()
    {
        var mountPoint = new Argument<string>("MOUNTPOINT") { Description = "Empty directory where peers appear as folders." };
        var command = new Command("mount", "Run the daemon and mount the party at MOUNTPOINT (foreground).");
        command.Arguments.Add(mountPoint);
        AddDaemonOptions(command);
        command.SetAction((result, ct) => RunAsync(result, Path.GetFullPath(result.GetValue(mountPoint)!), ct));
        return command;
    }

    private static void AddDaemonOptions(Command command)
    {
        foreach (var option in new Option[] { Topic, Share, Port, Peer, Mqtt, NoMqtt, NoMdns, Stun, CacheSizeOption, Timeout, PrefetchWindow })
        {
            command.Options.Add(option);
        }
    }

    private static Task<int> RunAsync(ParseResult result, string? mountPoint, CancellationToken ct)
        => CliErrors.RunAsync(async () =>
        {
            TryCacheSize(result.GetValue(CacheSizeOption), out var cacheSize, out _);
            var options = new DaemonOptions
            {
                DataDirectory = CommonOptions.ResolveDataDir(result),
                Topics = result.GetValue(Topic) ?? [],
                Shares = (result.GetValue(Share) ?? []).Select(Path.GetFullPath).ToArray(),
                Port = result.GetValue(Port),
                Peers = result.GetValue(Peer) ?? [],
                MqttBroker = result.GetValue(NoMqtt) || result.GetValue(Mqtt) is not { } url ? null : new Uri(url),
                Mdns = !result.GetValue(NoMdns),
                StunServers = result.GetValue(Stun) ?? [],
                CacheSize = cacheSize,
                MountPoint = mountPoint,
                RequestTimeout = TimeSpan.FromSeconds(result.GetValue(Timeout)),
                PrefetchMaxWindow = TryWindow(result.GetValue(PrefetchWindow), out var window) ? window : 64L << 20,
                Verbose = result.GetValue(CommonOptions.Verbose),
                BindAddress = IPAddress.IPv6Any,
            };
            using var loggerFactory = LoggerFactory.Create(b => b
                .AddSimpleConsole(o =>
                {
                    o.SingleLine = true;
                    o.TimestampFormat = "HH:mm:ss ";
                })
                .SetMinimumLevel(options.Verbose ? LogLevel.Debug : LogLevel.Information)
                .AddFilter("Microsoft", LogLevel.Warning));
            return await DaemonHost.RunAsync(options, loggerFactory, ct);
        });

    private static bool TryWindow(string? text, out long bytes)
    {
        bytes = 0;
        return text is "0" || (text is not null && CacheSize.TryParse(text, out bytes, out _));
    }

    private static bool TryCacheSize(string? text, out long bytes, out string? error)
    {
        try
        {
            bytes = CacheSize.Parse(text ?? "");
            error = null;
            return true;
        }
        catch (FormatException ex)
        {
            bytes = 0;
            error = ex.Message;
            return false;
        }
    }
}

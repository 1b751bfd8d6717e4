using System.Globalization;
using HddFs.Testing;

namespace HddFs.Bench.Infra;

/// <summary>How to build a two-peer party on this machine.</summary>
internal sealed record HddfsPartyOptions
{
    /// <summary>The directory the serving peer shares; it shows up as MP/&lt;peer&gt;/&lt;basename&gt;.</summary>
    public required string ShareDirectory { get; init; }

    public string Topic { get; init; } = "hddfs-bench";

    /// <summary>`hddfs mount` for the second peer (else `hddfs start`, e.g. for `hddfs cat`).</summary>
    public bool Mount { get; init; } = true;

    /// <summary>Extra options of the second peer (e.g. --cache-size 256M, --prefetch-window 0).</summary>
    public IReadOnlyList<string> ClientArguments { get; init; } = [];

    /// <summary>The port the second peer dials, given the serving peer's port (a delay proxy in between).</summary>
    public Func<int, int>? DialPort { get; init; }
}

/// <summary>
/// Two real daemons on loopback: a serving `hddfs start --share DIR --port P` and a `hddfs mount MP --peer
/// 127.0.0.1:P` (or `hddfs start --peer`), both with --no-mqtt --no-mdns and their own data directories.
/// Ready when the share is visible in the mount (or the peer is connected). Dispose stops both (SIGTERM, then
/// SIGKILL), lazily unmounts and removes the data directories.
/// </summary>
internal sealed class HddfsParty : IAsyncDisposable
{
    private readonly TempDirectory _work;
    private readonly HddfsPartyOptions _options;
    private readonly int _dialPort;
    private HddfsDaemon? _server;
    private HddfsDaemon? _client;
    private int _generation;

    private HddfsParty(TempDirectory work, HddfsPartyOptions options, string serverName, int serverPort, int dialPort)
    {
        _work = work;
        _options = options;
        ServerName = serverName;
        ServerPort = serverPort;
        _dialPort = dialPort;
        ShareName = Path.GetFileName(Path.GetFullPath(options.ShareDirectory).TrimEnd('/'));
        MountPoint = work.Combine("mnt");
        ClientDataDirectory = work.Combine("client");
    }

    public string Topic => _options.Topic;

    /// <summary>Display name of the serving peer (its folder in the mount).</summary>
    public string ServerName { get; }

    public int ServerPort { get; }

    public string ShareName { get; }

    public string MountPoint { get; }

    /// <summary>The second peer's data directory (its block cache is DATA_DIR/cache).</summary>
    public string ClientDataDirectory { get; private set; }

    /// <summary>MP/&lt;peer&gt;/&lt;share&gt;: the shared directory as the mount shows it.</summary>
    public string ShareRoot => Path.Combine(MountPoint, ServerName, ShareName);

    public HddfsDaemon Server => _server ?? throw new InvalidOperationException("no serving daemon");

    public HddfsDaemon Client => _client ?? throw new InvalidOperationException("no client daemon");

    /// <summary>PEER/SHARE/RELATIVE as `hddfs cat` takes it.</summary>
    public string RemotePath(string relative) => $"{ServerName}/{ShareName}/{relative}";

    public static async Task<HddfsParty> StartAsync(HddfsPartyOptions options, CancellationToken cancellationToken)
    {
        var work = new TempDirectory("hddfs-bench-party");
        HddfsParty? party = null;
        try
        {
            var serverData = work.Combine("server");
            var serverName = HddfsCli.PeerName(serverData);
            var port = FreePort.Udp();
            party = new HddfsParty(work, options, serverName, port, options.DialPort?.Invoke(port) ?? port);
            Directory.CreateDirectory(party.MountPoint);
            party._server = await HddfsDaemon.StartAsync("hddfs start (serving peer)", null, serverData,
                ["--topic", options.Topic, "--share", options.ShareDirectory, "--port", port.ToString(CultureInfo.InvariantCulture), "--no-mqtt", "--no-mdns"],
                cancellationToken);
            await party.StartClientAsync(options.ClientArguments, cancellationToken);
            return party;
        }
        catch
        {
            if (party is not null)
            {
                await party.DisposeAsync();
            }
            else
            {
                work.Dispose();
            }

            throw;
        }
    }

    /// <summary>Stops the second peer and starts it again, on the same data directory (its block cache stays) or on
    /// a fresh one, optionally with other options.</summary>
    public async Task RestartClientAsync(IReadOnlyList<string>? clientArguments, bool keepCache, CancellationToken cancellationToken)
    {
        if (_client is not null)
        {
            await _client.DisposeAsync();
            _client = null;
        }

        if (!keepCache)
        {
            ClientDataDirectory = _work.Combine("client-" + (++_generation).ToString(CultureInfo.InvariantCulture));
        }

        await StartClientAsync(clientArguments ?? _options.ClientArguments, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_client is not null)
            {
                await _client.DisposeAsync();
            }
        }
        finally
        {
            try
            {
                if (_server is not null)
                {
                    await _server.DisposeAsync();
                }
            }
            finally
            {
                MountTable.LazyUnmount(MountPoint);
                _work.Dispose();
            }
        }
    }

    private async Task StartClientAsync(IReadOnlyList<string> clientArguments, CancellationToken cancellationToken)
    {
        string[] arguments = ["--topic", _options.Topic, "--peer", $"127.0.0.1:{_dialPort}", "--no-mqtt", "--no-mdns", .. clientArguments];
        if (!_options.Mount)
        {
            _client = await HddfsDaemon.StartAsync("hddfs start (client peer)", null, ClientDataDirectory, arguments, cancellationToken);
            await WaitConnectedAsync(cancellationToken);
            return;
        }

        _client = await HddfsDaemon.StartAsync("hddfs mount", MountPoint, ClientDataDirectory, arguments, cancellationToken);
        await MountTable.WaitMountedAsync(MountPoint, _client.Process, TimeSpan.FromSeconds(30), cancellationToken);
        await WaitShareVisibleAsync(cancellationToken);
    }

    private async Task WaitConnectedAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!Client.Peers().Any(p => p.Connected && p.Name == ServerName))
        {
            Client.Process.ThrowIfExited();
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the client peer did not connect to {ServerName} within 60 s:\n{Client.Process.RecentOutput}");
            }

            await Task.Delay(200, cancellationToken);
        }
    }

    /// <summary>Polls MP/&lt;peer&gt;/&lt;share&gt; (each look bounded, so a stuck mount cannot hang the bench).</summary>
    private async Task WaitShareVisibleAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            Client.Process.ThrowIfExited();
            var visible = await Task.Run(() => Directory.Exists(ShareRoot), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(15), cancellationToken);
            if (visible)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{ShareRoot} did not appear within 60 s; the mount shows [{Describe(MountPoint)}], "
                    + $"{ServerName}/ shows [{Describe(Path.Combine(MountPoint, ServerName))}]:\n{Client.Process.RecentOutput}");
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    private static string Describe(string directory)
    {
        try
        {
            return string.Join(", ", Directory.EnumerateFileSystemEntries(directory).Select(Path.GetFileName).Take(20));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return ex.Message;
        }
    }
}

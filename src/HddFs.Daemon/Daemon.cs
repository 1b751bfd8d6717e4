using System.Net;
using HddFs.Cache;
using HddFs.Core;
using HddFs.Daemon.Control;
using HddFs.Discovery;
using HddFs.Discovery.Mdns;
using HddFs.Discovery.Mqtt;
using HddFs.Discovery.Stun;
using HddFs.Mount;
using HddFs.Peers;
using HddFs.Peers.Connections;
using HddFs.Peers.Identity;
using HddFs.Quic;
using HddFs.Shares;
using HddFs.Vfs;
using Microsoft.Extensions.Logging;

namespace HddFs.Daemon;

/// <summary>
/// The composition root: identity, share index, QUIC endpoint, connections, discovery, cache, VFS and
/// mount, and the control API. <see cref="StartAsync"/> brings them up in dependency order (a failure
/// tears down what was started); <see cref="DisposeAsync"/> stops them in reverse. Nothing here waits
/// on the network inline: dialing, discovery and STUN run in the background.
/// </summary>
public sealed class Daemon : IAsyncDisposable
{
    private readonly DaemonOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly Stack<(string Step, Func<ValueTask> Stop)> _teardown = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private NodeIdentity? _identity;
    private ConnectionManager? _connections;
    private DiscoveryManager? _discovery;
    private QuicEndpoint? _endpoint;
    private volatile NatReport? _nat;
    private int _disposed;

    private Daemon(DaemonOptions options, ILoggerFactory loggerFactory)
    {
        _options = options;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<Daemon>();
    }

    /// <summary>Completes when the daemon stops by itself (its mount was unmounted from outside).</summary>
    public Task Stopped => _stopped.Task;

    public PeerId Id => _identity!.Id;

    public IPEndPoint LocalEndPoint => _endpoint!.LocalEndPoint;

    public IParty Party => _connections!;

    public static async Task<Daemon> StartAsync(DaemonOptions options, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        var daemon = new Daemon(options, loggerFactory);
        try
        {
            await daemon.StartCoreAsync(cancellationToken);
            return daemon;
        }
        catch
        {
            await daemon.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Log.ShuttingDown(_logger);
        await _stopping.CancelAsync();
        while (_teardown.TryPop(out var step))
        {
            try
            {
                await step.Stop();
            }
            catch (Exception ex)
            {
                Log.ShutdownStepFailed(_logger, ex, step.Step);
            }
        }

        _stopping.Dispose();
        _stopped.TrySetResult();
    }

    private async Task StartCoreAsync(CancellationToken cancellationToken)
    {
        var time = TimeProvider.System;
        var dataDirectory = DataDirectory.Ensure(_options.DataDirectory);

        _identity = NodeIdentity.LoadOrCreate(dataDirectory);
        var identity = _identity;
        OnStop("identity", () =>
        {
            identity.Dispose();
            return ValueTask.CompletedTask;
        });

        var topics = TopicStore.Open(dataDirectory);
        foreach (var name in _options.Topics)
        {
            topics.Join(name);
        }

        foreach (var topic in topics.Topics)
        {
            Log.JoinedTopic(_logger, topic.Name);
        }

        if (topics.Topics.Count == 0)
        {
            Log.NoTopics(_logger);
        }

        var index = await ShareIndex.OpenAsync(Path.Combine(dataDirectory, "index.db"), _loggerFactory, time, cancellationToken: cancellationToken);
        OnStop("share index", index.DisposeAsync);
        foreach (var directory in _options.Shares)
        {
            var name = await index.AddShareAsync(directory, cancellationToken);
            Log.Sharing(_logger, directory, name);
        }

        _endpoint = QuicEndpoint.Create(new QuicEndpointOptions
        {
            LocalEndPoint = new IPEndPoint(_options.BindAddress, _options.Port),
            CertificatePem = identity.CreateCertificatePem(time.GetUtcNow()),
            PrivateKeyPem = identity.ExportPrivateKeyPem(),
            ApplicationProtocol = PeerOptions.ApplicationProtocol,
        });
        var endpoint = _endpoint;
        OnStop("QUIC endpoint", endpoint.DisposeAsync);

        var peerOptions = new PeerOptions { RequestTimeout = _options.RequestTimeout, DepartedPeerGrace = _options.DepartedPeerGrace };
        _connections = new ConnectionManager(identity, endpoint, index, topics.Topics, peerOptions, _loggerFactory, time);
        var connections = _connections;
        OnStop("connections", connections.DisposeAsync);
        connections.Start();
        foreach (var peer in _options.Peers)
        {
            connections.AddManualPeer(peer);
        }

        var local = new LocalAnnouncement(endpoint.LocalEndPoint.Port, [.. LocalAnnouncement.CurrentLanAddresses(), .. LoopbackLast()]);
        await StartDiscoveryAsync(identity, topics, local, connections, cancellationToken);
        if (_options.StunServers.Count > 0)
        {
            var transport = new QuicDatagramTransport(endpoint);
            OnStop("STUN transport", transport.DisposeAsync);
            var stun = DetectNatAsync(transport, local, _stopping.Token);
            OnStop("STUN", async () => await stun);
        }

        if (_options.MountPoint is { } mountPoint)
        {
            await MountAsync(mountPoint, dataDirectory, connections, time, cancellationToken);
        }

        var control = new DaemonControl(
            new IdentityInfo(identity.Name, identity.Id.Fingerprint, identity.Id.ToHex()),
            connections,
            index,
            topics,
            current =>
            {
                connections.SetTopics(current);
                _discovery?.SetTopics([.. current]);
            },
            () => _nat is { PublicEndPoint: { } endPoint } report
                ? (endPoint.ToString(), report.Type.ToString().ToLowerInvariant())
                : (endpoint.LocalEndPoint.ToString(), (_nat?.Type ?? NatType.Unknown).ToString().ToLowerInvariant()));
        var server = await ControlServer.StartAsync(control, ControlSocket.PathFor(dataDirectory), _loggerFactory, cancellationToken);
        OnStop("control API", server.DisposeAsync);

        Log.Started(_logger, identity.Name, identity.Id.Fingerprint, endpoint.LocalEndPoint, dataDirectory);
    }

    private async Task StartDiscoveryAsync(NodeIdentity identity, TopicStore topics, LocalAnnouncement local, ConnectionManager connections, CancellationToken cancellationToken)
    {
        var finders = new List<IPeerFinder>();
        if (_options.MqttBroker is { } broker)
        {
            finders.Add(new MqttPeerFinder(new MqttFinderOptions { BrokerUrl = broker }, identity, TimeProvider.System, _loggerFactory.CreateLogger<MqttPeerFinder>()));
        }

        if (_options.Mdns)
        {
            finders.Add(new MdnsPeerFinder(new MdnsFinderOptions(), identity, TimeProvider.System, _loggerFactory.CreateLogger<MdnsPeerFinder>()));
        }

        if (finders.Count == 0)
        {
            return;
        }

        var discovery = new DiscoveryManager(finders, TimeProvider.System, _loggerFactory.CreateLogger<DiscoveryManager>());
        _discovery = discovery;
        OnStop("discovery", discovery.DisposeAsync);
        discovery.SetLocalInfo(local);
        discovery.SetTopics([.. topics.Topics]);
        await discovery.StartAsync(cancellationToken);
        var mechanisms = finders.ConvertAll(f => f.Name);
        Log.DiscoveryStarted(_logger, mechanisms);

        var pump = PumpDiscoveryAsync(discovery, connections, _stopping.Token);
        OnStop("discovery pump", async () => await pump);

    }

    /// <summary>Loopback last, so several daemons on one machine can meet over a broker too.</summary>
    private static IPAddress[] LoopbackLast() => [IPAddress.Loopback];

    private async Task PumpDiscoveryAsync(DiscoveryManager discovery, ConnectionManager connections, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var e in discovery.Events.ReadAllAsync(cancellationToken))
            {
                if (e is DiscoveredPeer found)
                {
                    Log.Discovered(_logger, found.Peer, found.Source, found.Endpoints);
                    connections.OnDiscovered(found.Peer, found.Endpoints, found.Source.ToString().ToLowerInvariant());
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception ex)
        {
            Log.DiscoveryPumpFailed(_logger, ex);
        }
    }

    /// <summary>Learns the NAT type and public endpoint (never fatal: no answer means "unknown"), reports
    /// them to `hddfs peers` and to the announcements.</summary>
    private async Task DetectNatAsync(QuicDatagramTransport transport, LocalAnnouncement local, CancellationToken cancellationToken)
    {
        try
        {
            await using var client = new StunClient(transport, timeProvider: TimeProvider.System, logger: _loggerFactory.CreateLogger<StunClient>());
            var servers = await NatDetector.ResolveAsync(_options.StunServers, System.Net.Sockets.AddressFamily.InterNetwork, cancellationToken);
            var report = await NatDetector.DetectAsync(client, servers, transport.LocalEndPoint, null, cancellationToken);
            _nat = report;
            Log.NatDetected(_logger, report.Type, report.PublicEndPoint);
            _discovery?.SetLocalInfo(local with { Nat = report.Type, PublicEndPoint = report.PublicEndPoint });
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception ex) when (ex is System.Net.Sockets.SocketException or IOException or ArgumentException or InvalidOperationException)
        {
            Log.StunFailed(_logger, ex.Message); // offline first: no public endpoint is announced
        }
    }

    private async Task MountAsync(string mountPoint, string dataDirectory, ConnectionManager connections, TimeProvider time, CancellationToken cancellationToken)
    {
        var cache = new DiskBlockCache(Path.Combine(dataDirectory, "cache"), _options.CacheSize, _loggerFactory.CreateLogger<DiskBlockCache>(), time);
        OnStop("block cache", () =>
        {
            cache.Dispose();
            return ValueTask.CompletedTask;
        });

        var vfsOptions = new VfsOptions
        {
            RequestTimeout = _options.RequestTimeout,
            PrefetchMaxWindow = _options.PrefetchMaxWindow,
            Uid = ProcessIds.Uid,
            Gid = ProcessIds.Gid,
        };
        var vfs = new VirtualFileSystem(connections, cache, vfsOptions, _loggerFactory, time);
        OnStop("VFS", vfs.DisposeAsync);

        var mount = await PartyMount.MountAsync(mountPoint, vfs, new PartyMountOptions(), _loggerFactory, cancellationToken);
        OnStop("mount", mount.DisposeAsync);
        Log.Mounted(_logger, mountPoint);
        _ = mount.Completion.ContinueWith(
            _ =>
            {
                if (!_stopping.IsCancellationRequested)
                {
                    Log.MountGone(_logger, mountPoint);
                    _stopped.TrySetResult();
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private void OnStop(string step, Func<ValueTask> stop) => _teardown.Push((step, stop));
}

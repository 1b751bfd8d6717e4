using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Channels;
using HddFs.Core;
using HddFs.Discovery.Announcements;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet;
using MQTTnet.Formatter;

namespace HddFs.Discovery.Mqtt;

/// <summary>
/// Discovery through an MQTT 5 broker (MQTTnet stays behind this class). Per joined topic we keep one
/// retained, expiring, encrypted and signed announcement in our slot (see <see cref="MqttTopicNames"/>)
/// and subscribe to the topic's slots, so a late joiner learns every live peer from the retained
/// messages at once, and a crashed peer's message ages out by itself.
///
/// One connection loop owns the MQTTnet client: connect (never blocking <see cref="StartAsync"/>),
/// back off exponentially with jitter while the broker is unreachable, then keep the subscriptions and
/// retained announcements in line with the wanted topics and local info, re-publishing every
/// <see cref="MqttFinderOptions.AnnounceInterval"/>. Received messages are handled on MQTTnet's thread
/// (<see cref="OnMessageAsync"/>). Dispose publishes signed goodbyes and clears our retained messages.
///
/// Lock order: <c>_gate</c> (wanted state), never held across an await → <see cref="FinderLoop"/>'s leaf lock.
/// </summary>
public sealed partial class MqttPeerFinder : IPeerFinder
{
    private readonly MqttFinderOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly AnnouncementSealer _sealer;
    private readonly AnnouncementReplayGuard _replays;
    private readonly string _host;
    private readonly int _port;
    private readonly bool _tls;
    private readonly FinderLoop _life = new();
    private readonly Channel<bool> _kick = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    // Guarded by _gate: what the user wants.
    private readonly Lock _gate = new();
    private Dictionary<string, TopicKey> _wantedTopics = [];
    private LocalAnnouncement? _wantedInfo;

    // Owned by the connection loop (and by DisposeAsync after the loop has ended).
    private IMqttClient? _client;
    private readonly HashSet<string> _subscribed = [];
    private readonly Dictionary<string, TopicKey> _announced = [];
    private LocalAnnouncement? _announcedInfo;
    private DateTimeOffset _nextAnnounce = DateTimeOffset.MaxValue;

    public MqttPeerFinder(MqttFinderOptions options, ISigner signer, TimeProvider? timeProvider = null, ILogger<MqttPeerFinder>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(signer);
        var url = options.BrokerUrl;
        _tls = url.Scheme switch
        {
            "mqtt" or "tcp" => false,
            "mqtts" or "ssl" => true,
            _ => throw new ArgumentException($"Broker URL must be mqtt://host[:port] or mqtts://host[:port], got {url}", nameof(options)),
        };
        if (string.IsNullOrEmpty(url.Host))
        {
            throw new ArgumentException($"Broker URL has no host: {url}", nameof(options));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(options.AnnounceInterval, TimeSpan.FromMilliseconds(100));
        _options = options;
        _host = url.Host;
        _port = url.IsDefaultPort || url.Port <= 0 ? (_tls ? 8883 : 1883) : url.Port;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _sealer = new AnnouncementSealer(signer, _time);
        _replays = new AnnouncementReplayGuard(signer.Id, _time);
    }

    public string Name => "mqtt";

    public string Status => _life.Status;

    public ChannelReader<DiscoveryEvent> Events => _life.Reader;

    /// <summary>True while connected to the broker (for status and tests).</summary>
    public bool IsConnected => _client?.IsConnected == true;

    /// <summary>Tests simulate a crash by turning this off: dispose then leaves the retained
    /// announcements to expire on the broker.</summary>
    internal bool WithdrawOnDispose { get; set; } = true;

    public ValueTask StartAsync(CancellationToken cancellationToken)
    {
        _life.Start(this, ConnectionLoopAsync);
        return ValueTask.CompletedTask;
    }

    public void SetTopics(IReadOnlyCollection<TopicKey> topics)
    {
        ArgumentNullException.ThrowIfNull(topics);
        lock (_gate)
        {
            _wantedTopics = topics.DistinctBy(t => t.RendezvousId).ToDictionary(t => t.RendezvousId);
        }

        _kick.Writer.TryWrite(true);
    }

    public void SetLocalInfo(LocalAnnouncement info)
    {
        ArgumentNullException.ThrowIfNull(info);
        lock (_gate)
        {
            _wantedInfo = info;
        }

        _kick.Writer.TryWrite(true);
    }

    public async ValueTask DisposeAsync()
    {
        if (!await _life.StopAsync())
        {
            return;
        }

        // The loop has ended: the client is ours now. Say goodbye where we announced, clear our slots.
        if (WithdrawOnDispose && _client is { IsConnected: true } client)
        {
            using var budget = new CancellationTokenSource(_options.ConnectTimeout, _time);
            try
            {
                foreach (var topic in _announced.Values.ToList())
                {
                    await WithdrawAsync(client, topic, budget.Token);
                }

                await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), budget.Token);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                _logger.MqttGoodbyeFailed(ex);
            }
        }

        _client?.Dispose();
        _client = null;
        _life.Dispose();
    }

    private void SetStatus(string status) => _life.Status = status;

    private (Dictionary<string, TopicKey> Topics, LocalAnnouncement? Info) Wanted()
    {
        lock (_gate)
        {
            return (_wantedTopics, _wantedInfo);
        }
    }

    private async Task ConnectionLoopAsync(CancellationToken cancellationToken)
    {
        var backoff = new ExponentialBackoff(_options.ReconnectInitialDelay, _options.ReconnectMaxDelay);
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (_client is not { IsConnected: true })
                {
                    if (failures++ == 0)
                    {
                        SetStatus($"connecting to {_options.BrokerUrl}");
                    }

                    if (!await TryConnectAsync(cancellationToken))
                    {
                        var delay = backoff.Next();
                        SetStatus($"broker {_options.BrokerUrl} unreachable; retrying in {delay.TotalSeconds:0.#} s");
                        await Task.Delay(delay, _time, cancellationToken);
                        continue;
                    }

                    backoff.Reset();
                    failures = 0;
                    SetStatus($"connected to {_options.BrokerUrl}");
                }

                await SyncAsync(_client!, cancellationToken);
                var wait = _nextAnnounce == DateTimeOffset.MaxValue ? TimeSpan.FromMinutes(5) : _nextAnnounce - _time.GetUtcNow();
                if (await ChannelWaits.WaitToReadAsync(_kick.Reader, wait, _time, cancellationToken))
                {
                    _kick.Reader.TryRead(out _);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Broker gone mid-publish, protocol error, bug: the loop itself never dies. A lost
                // connection is noticed at the top; anything else is retried after a back-off step.
                _logger.MqttLoopError(ex);
                try
                {
                    await Task.Delay(backoff.Next(), _time, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task<bool> TryConnectAsync(CancellationToken cancellationToken)
    {
        _client?.Dispose();
        _subscribed.Clear();
        var client = new MqttClientFactory().CreateMqttClient();
        client.ApplicationMessageReceivedAsync += OnMessageAsync;
        client.DisconnectedAsync += OnDisconnectedAsync;
        _client = client;

        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(_host, _port)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId("hddfs-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)))
            .WithCleanStart(true)
            .WithSessionExpiryInterval(0)
            .WithKeepAlivePeriod(_options.KeepAlive)
            .WithTimeout(_options.ConnectTimeout);
        if (_tls)
        {
            builder.WithTlsOptions(tls => tls
                .UseTls(true)
                .WithTargetHost(_host)
                .WithCertificateValidationHandler(args => ValidateServerCertificate(args.Certificate, args.SslPolicyErrors)));
        }

        using var timeout = new CancellationTokenSource(_options.ConnectTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            var result = await client.ConnectAsync(builder.Build(), linked.Token);
            if (result.ResultCode != MqttClientConnectResultCode.Success)
            {
                _logger.MqttConnectRefused(_options.BrokerUrl, result.ResultCode.ToString());
                return false;
            }

            // A (re)connected broker may have lost our retained messages: publish everything now.
            _announcedInfo = null;
            _logger.MqttConnected(_options.BrokerUrl);
            return true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            if (_logger.IsEnabled(LogLevel.Information))
            {
                _logger.MqttConnectFailed(_options.BrokerUrl, ex.GetBaseException().Message);
            }

            return false;
        }
    }

    private bool ValidateServerCertificate(X509Certificate certificate, SslPolicyErrors errors)
    {
        if (_options.TrustedCertificates is not { Count: > 0 } roots)
        {
            return errors == SslPolicyErrors.None;
        }

        // Name and presence are still checked; only the chain is judged against our roots.
        if ((errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
        {
            return false;
        }

        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(leaf);
    }

    private Task OnDisconnectedAsync(MqttClientDisconnectedEventArgs args)
    {
        if (args.ClientWasConnected)
        {
            _logger.MqttDisconnected(_options.BrokerUrl, args.Reason);
            SetStatus($"lost broker {_options.BrokerUrl}; reconnecting");
        }

        _kick.Writer.TryWrite(true);
        return Task.CompletedTask;
    }
}

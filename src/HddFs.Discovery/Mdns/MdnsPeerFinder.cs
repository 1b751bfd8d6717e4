using System.Threading.Channels;
using HddFs.Core;
using HddFs.Discovery.Announcements;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace HddFs.Discovery.Mdns;

/// <summary>
/// Discovery on the LAN with our own multicast DNS (RFC 6762) / DNS-SD (RFC 6763) for
/// <c>_hddfs._udp.local</c>. Needs no internet and no broker.
///
/// We answer PTR queries for the service with SRV, TXT (one sealed entry per topic, see
/// <see cref="MdnsRecords"/>) and A/AAAA records; we announce at start and after every change
/// (<see cref="MdnsFinderOptions.AnnounceCount"/> unsolicited responses, 1 s then doubling); we query
/// at start, whenever we join a topic, then with a doubling interval (known-answer suppression), and
/// refresh each known instance at 80/85/90/95 % of its TTL; on shutdown we send a goodbye (TTL 0) whose
/// TXT carries signed goodbye entries — the only thing that makes a departure, since an unsigned TTL-0
/// packet can be forged by anyone on the LAN.
///
/// Threading: one loop task owns all mDNS state and the sockets; socket receive loops and
/// SetTopics/SetLocalInfo feed it through one bounded channel (packets are dropped when it is full).
/// Lock order: <c>_gate</c> (wanted state), never held across an await → <see cref="FinderLoop"/>'s leaf lock.
/// </summary>
public sealed partial class MdnsPeerFinder : IPeerFinder
{
    private static readonly double[] RefreshAt = [0.80, 0.85, 0.90, 0.95];
    private static readonly TimeSpan NoInterfaceRetry = TimeSpan.FromSeconds(2);

    private readonly MdnsFinderOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly AnnouncementSealer _sealer;
    private readonly AnnouncementReplayGuard _replays;
    private readonly MdnsRecords _records = new();
    private readonly FinderLoop _life = new();
    private readonly Channel<object> _work = Channel.CreateBounded<object>(new BoundedChannelOptions(128) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });

    // Guarded by _gate.
    private readonly Lock _gate = new();
    private Dictionary<string, TopicKey> _wantedTopics = [];
    private LocalAnnouncement? _wantedInfo;
    private bool _dirty;

    // Owned by the loop (and by DisposeAsync after the loop ended).
    private readonly Dictionary<int, MdnsSocket> _sockets = [];
    private readonly Dictionary<string, TopicKey> _leaving = [];
    private readonly Dictionary<DnsName, CachedInstance> _instances = [];
    private readonly Dictionary<int, PendingResponse> _pending = [];
    private Dictionary<string, TopicKey> _advertisedTopics = [];
    private LocalAnnouncement? _advertisedInfo;
    private bool _everAnnounced;
    private int _announcesLeft;
    private DateTimeOffset _nextAnnounce = DateTimeOffset.MaxValue;
    private TimeSpan _announceGap;
    private DateTimeOffset _nextQuery;
    private TimeSpan _queryInterval = TimeSpan.FromSeconds(1);
    private bool _queryWithoutKnownAnswers = true;
    private DateTimeOffset _nextRescan;

    public MdnsPeerFinder(MdnsFinderOptions options, ISigner signer, TimeProvider? timeProvider = null, ILogger<MdnsPeerFinder>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(signer);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.AnnounceCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.RecordTtl, TimeSpan.FromSeconds(1));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxTopics, 1);
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _sealer = new AnnouncementSealer(signer, _time);
        _replays = new AnnouncementReplayGuard(signer.Id, _time);
    }

    public string Name => "mdns";

    public string Status => _life.Status;

    public ChannelReader<DiscoveryEvent> Events => _life.Reader;

    /// <summary>Our random DNS-SD instance name (for tests and diagnostics).</summary>
    internal DnsName InstanceName => _records.Instance;

    public ValueTask StartAsync(CancellationToken cancellationToken)
    {
        _life.Start(this, LoopAsync);
        return ValueTask.CompletedTask;
    }

    public void SetTopics(IReadOnlyCollection<TopicKey> topics)
    {
        ArgumentNullException.ThrowIfNull(topics);
        lock (_gate)
        {
            _wantedTopics = topics.DistinctBy(t => t.RendezvousId).ToDictionary(t => t.RendezvousId);
            _dirty = true;
        }

        _work.Writer.TryWrite(Kick.Instance);
    }

    public void SetLocalInfo(LocalAnnouncement info)
    {
        ArgumentNullException.ThrowIfNull(info);
        lock (_gate)
        {
            _wantedInfo = info;
            _dirty = true;
        }

        _work.Writer.TryWrite(Kick.Instance);
    }

    public async ValueTask DisposeAsync()
    {
        if (!await _life.StopAsync())
        {
            return;
        }

        // The loop has ended; its state is ours. Goodbye, twice (multicast is unacknowledged).
        if (_everAnnounced && _advertisedInfo is not null)
        {
            using var budget = new CancellationTokenSource(TimeSpan.FromSeconds(2), _time);
            try
            {
                await SendGoodbyeAsync(budget.Token);
                await SendGoodbyeAsync(budget.Token);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                _logger.MdnsSendFailed("goodbye", ex.Message);
            }
        }

        foreach (var socket in _sockets.Values)
        {
            socket.Dispose();
        }

        _sockets.Clear();
        _life.Dispose();
    }

    private void SetStatus(string status) => _life.Status = status;

    private async Task LoopAsync(CancellationToken cancellationToken)
    {
        _nextQuery = _time.GetUtcNow();
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var now = _time.GetUtcNow();
                if (now >= _nextRescan)
                {
                    Rescan();
                    _nextRescan = now + (_sockets.Count == 0 ? NoInterfaceRetry : _options.InterfaceRescanInterval);
                }

                ApplyWanted(now);
                await RunTimersAsync(now, cancellationToken);

                var wait = NextDeadline() - _time.GetUtcNow();
                if (await ChannelWaits.WaitToReadAsync(_work.Reader, wait, _time, cancellationToken))
                {
                    while (_work.Reader.TryRead(out var item))
                    {
                        if (item is MdnsPacket packet)
                        {
                            await HandlePacketAsync(packet, cancellationToken);
                        }
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Never let one bad packet or a bug stop LAN discovery.
                _logger.LoopFailed("mdns", ex);
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(100), _time, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Opens sockets on new interfaces, closes those of vanished or changed ones.</summary>
    private void Rescan()
    {
        var run = _options.NetworkContext ?? (action => action());
        List<MdnsInterface>? found = null;
        var opened = new List<MdnsSocket>();
        run(() =>
        {
            try
            {
                found = MdnsInterface.Enumerate(_options.Interfaces);
            }
            catch (Exception ex) when (ex is System.Net.NetworkInformation.NetworkInformationException or IOException)
            {
                _logger.MdnsInterfaceFailed("*", ex.Message);
                return;
            }

            foreach (var iface in found)
            {
                if (_sockets.TryGetValue(iface.Index, out var existing) && existing.Interface.SameAs(iface))
                {
                    continue;
                }

                try
                {
                    opened.Add(MdnsSocket.Open(iface));
                }
                catch (System.Net.Sockets.SocketException ex)
                {
                    _logger.MdnsInterfaceFailed(iface.Name, ex.Message);
                }
            }
        });

        if (found is null)
        {
            return; // enumeration failed: keep what we have, try again at the next rescan
        }

        foreach (var (index, socket) in _sockets.ToList())
        {
            if (!found.Any(f => f.Index == index && f.SameAs(socket.Interface)) || opened.Any(o => o.Interface.Index == index))
            {
                socket.Dispose();
                _sockets.Remove(index);
                _pending.Remove(index);
            }
        }

        foreach (var socket in opened)
        {
            _sockets[socket.Interface.Index] = socket;
            socket.StartReceiving(_work.Writer, ex => _logger.MdnsReceiveError(socket.Interface.Name, ex.Message));
            _logger.MdnsListening(socket.Interface.Name, socket.Interface.IPv4[0].Address);
        }

        if (opened.Count > 0)
        {
            // A new link: tell it about us and ask who is there.
            _announcesLeft = _options.AnnounceCount;
            _nextAnnounce = _time.GetUtcNow();
            _announceGap = _options.AnnounceInterval;
            ResetQueries(withoutKnownAnswers: true);
        }

        SetStatus(_sockets.Count == 0
            ? $"no usable interface; retrying every {NoInterfaceRetry.TotalSeconds:0} s"
            : "listening on " + string.Join(", ", _sockets.Values.Select(s => $"{s.Interface.Name} ({s.Interface.IPv4[0].Address})")));
    }

    /// <summary>Turns a change of topics or local info into announcements, goodbyes and queries.</summary>
    private void ApplyWanted(DateTimeOffset now)
    {
        Dictionary<string, TopicKey> topics;
        LocalAnnouncement? info;
        lock (_gate)
        {
            if (!_dirty)
            {
                return;
            }

            _dirty = false;
            topics = _wantedTopics;
            info = _wantedInfo;
        }

        var left = _advertisedTopics.Where(t => !topics.ContainsKey(t.Key)).ToList();
        var joined = topics.Keys.Where(k => !_advertisedTopics.ContainsKey(k)).ToList();
        var infoChanged = !Equals(info, _advertisedInfo);
        foreach (var (rendezvous, topic) in left)
        {
            if (_everAnnounced)
            {
                _leaving[rendezvous] = topic; // carried as signed goodbye entries in the next burst
            }

            _replays.Forget(topic);
        }

        foreach (var rendezvous in joined)
        {
            _leaving.Remove(rendezvous);
        }

        _advertisedTopics = topics;
        _advertisedInfo = info;
        if (info is not null && (left.Count > 0 || joined.Count > 0 || infoChanged))
        {
            _announcesLeft = _options.AnnounceCount;
            _nextAnnounce = now;
            _announceGap = _options.AnnounceInterval;
        }

        if (joined.Count > 0)
        {
            // Peers we already know have never been decrypted with the new topic's key: ask everyone.
            ResetQueries(withoutKnownAnswers: true);
        }
    }

    private void ResetQueries(bool withoutKnownAnswers)
    {
        _nextQuery = _time.GetUtcNow();
        _queryInterval = TimeSpan.FromSeconds(1);
        _queryWithoutKnownAnswers |= withoutKnownAnswers;
    }

    private async Task RunTimersAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (_sockets.Count == 0)
        {
            return;
        }

        if (_announcesLeft > 0 && now >= _nextAnnounce && _advertisedInfo is not null)
        {
            await AnnounceAsync(cancellationToken);
            _announcesLeft--;
            _nextAnnounce = now + _announceGap;
            _announceGap *= 2;
            if (_announcesLeft == 0)
            {
                _leaving.Clear();
                _nextAnnounce = DateTimeOffset.MaxValue;
            }
        }

        var refresh = false;
        foreach (var (name, cached) in _instances.ToList())
        {
            var elapsed = (now - cached.Received) / cached.Ttl;
            if (elapsed >= 1)
            {
                _instances.Remove(name);
            }
            else if (cached.RefreshStage < RefreshAt.Length && elapsed >= RefreshAt[cached.RefreshStage])
            {
                _instances[name] = cached with { RefreshStage = cached.RefreshStage + 1 };
                refresh = true;
            }
        }

        if (refresh || now >= _nextQuery)
        {
            await QueryAsync(cancellationToken);
            if (now >= _nextQuery)
            {
                _nextQuery = now + _queryInterval;
                _queryInterval = TimeSpan.FromTicks(Math.Min(_queryInterval.Ticks * 2, _options.MaxQueryInterval.Ticks));
            }
        }

        foreach (var (index, pending) in _pending.ToList())
        {
            if (now >= pending.Due)
            {
                _pending.Remove(index);
                if (_sockets.TryGetValue(index, out var socket))
                {
                    await RespondAsync(socket, pending.IncludeMeta, cancellationToken);
                }
            }
        }
    }

    private DateTimeOffset NextDeadline()
    {
        var next = _nextRescan;
        if (_sockets.Count > 0)
        {
            if (_announcesLeft > 0 && _advertisedInfo is not null && _nextAnnounce < next)
            {
                next = _nextAnnounce;
            }

            if (_nextQuery < next)
            {
                next = _nextQuery;
            }

            foreach (var p in _pending.Values)
            {
                if (p.Due < next)
                {
                    next = p.Due;
                }
            }

            foreach (var c in _instances.Values)
            {
                var at = c.RefreshStage < RefreshAt.Length ? c.Received + (c.Ttl * RefreshAt[c.RefreshStage]) : c.Received + c.Ttl;
                if (at < next)
                {
                    next = at;
                }
            }
        }

        return next;
    }

    private sealed class Kick
    {
        public static readonly Kick Instance = new();
    }

    /// <summary>A service instance we heard of: for known-answer suppression and TTL refresh.</summary>
    private sealed record CachedInstance(DateTimeOffset Received, TimeSpan Ttl, int RefreshStage);

    /// <summary>A multicast response scheduled 20–120 ms after a query (RFC 6762 §6: shared records).</summary>
    private sealed record PendingResponse(DateTimeOffset Due, bool IncludeMeta);
}

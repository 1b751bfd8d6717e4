using System.Net;
using HddFs.Core;
using HddFs.Peers.Identity;
using HddFs.Peers.Rpc;
using HddFs.Quic;
using Microsoft.Extensions.Logging;

namespace HddFs.Peers.Connections;

/// <summary>
/// Keeps one admitted connection per peer and presents the party (<see cref="IParty"/>): accepts
/// inbound connections, dials discovered and manual peers, runs the hello, serves requests, and
/// reconnects with back-off when a connection drops, all in background tasks (nothing here ever
/// blocks the caller on the network).
/// <para>Tie-break: when both sides dial, the connection dialed by the peer with the smaller key is
/// kept and the other closed with <see cref="CloseCodes.Duplicate"/>; both sides compute the same
/// answer. To make that rare, the larger key waits <see cref="PeerOptions.TieBreakDelay"/> before
/// dialing a newly discovered peer.</para>
/// <para>Departure: a disconnected peer stays visible (its cached data keeps being served by the
/// mount) for <see cref="PeerOptions.DepartedPeerGrace"/>, then leaves the party. Manual peers are
/// redialed forever; others while they are announced or within the grace period.</para>
/// Lock order: only <c>_lock</c>; never held across an await, a QUIC call or an event.
/// </summary>
public sealed class ConnectionManager : IParty, IAsyncDisposable
{
    // Immutable after construction.
    private readonly NodeIdentity _identity;
    private readonly QuicEndpoint _endpoint;
    private readonly RpcServer _server;
    private readonly PeerOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly IRemoteShares _selfShares;
    private readonly CancellationTokenSource _shutdown = new();

    // Guarded by _lock.
    private readonly Lock _lock = new();
    private readonly Dictionary<PeerId, PeerState> _peers = [];
    private readonly HashSet<Task> _background = [];
    private IReadOnlyList<TopicKey> _topics;
    private IReadOnlyList<PeerInfo> _party = [];
    private bool _started;

    public ConnectionManager(NodeIdentity identity, QuicEndpoint endpoint, ILocalShares localShares, IEnumerable<TopicKey> topics, PeerOptions options, ILoggerFactory loggerFactory, TimeProvider time)
    {
        _identity = identity;
        _endpoint = endpoint;
        _options = options;
        _logger = loggerFactory.CreateLogger<ConnectionManager>();
        _time = time;
        _server = new RpcServer(localShares, options, _logger);
        _selfShares = new LocalPeerShares(identity.Id, localShares, options.ListingPageSize);
        _topics = topics.Distinct().ToList();
        RebuildParty();
    }

    public event EventHandler? Changed;

    public PeerId Self => _identity.Id;

    public IReadOnlyList<PeerInfo> Peers
    {
        get
        {
            lock (_lock)
            {
                return _party;
            }
        }
    }

    public IReadOnlyList<TopicKey> Topics
    {
        get
        {
            lock (_lock)
            {
                return _topics;
            }
        }
    }

    public IRemoteShares? GetShares(PeerId peer)
    {
        if (peer == _identity.Id)
        {
            return _selfShares;
        }

        lock (_lock)
        {
            return _peers.TryGetValue(peer, out var state) && (state.Visible || state.Connection is not null) ? state.Shares : null;
        }
    }

    /// <summary>Every peer known (visible or not), with its connection state.</summary>
    public IReadOnlyList<PeerSnapshot> Snapshot()
    {
        lock (_lock)
        {
            return _peers.Values
                .Select(s => new PeerSnapshot(s.Id, s.Connection is not null, s.Visible, s.Connection?.Quic.RemoteEndPoint, s.Topics, s.Sources.ToList(), s.DisconnectedSince, s.Connection?.WeDialed))
                .ToList();
        }
    }

    /// <summary>Starts accepting connections and the departure sweep. Call once.</summary>
    public void Start()
    {
        lock (_lock)
        {
            if (_started)
            {
                throw new InvalidOperationException("Already started.");
            }

            _started = true;
        }

        Track(AcceptLoopAsync(_shutdown.Token));
        Track(DepartureSweepAsync(_shutdown.Token));
    }

    /// <summary>Replaces the joined topics; connections left with no topic in common are closed.</summary>
    public void SetTopics(IEnumerable<TopicKey> topics)
    {
        var list = topics.Distinct().ToList();
        var toClose = new List<PeerConnection>();
        lock (_lock)
        {
            _topics = list;
            foreach (var state in _peers.Values)
            {
                if (state.Connection is { } c && !c.Topics.Any(list.Contains))
                {
                    toClose.Add(c);
                }
            }
        }

        foreach (var c in toClose)
        {
            Track(CloseQuietlyAsync(c.Quic, CloseCodes.GoingAway));
        }
    }

    /// <summary>Keeps a connection to <paramref name="hostAndPort"/> (the user's --peer) alive, whoever answers there.</summary>
    public void AddManualPeer(string hostAndPort) => Track(ManualPeerLoopAsync(hostAndPort, _shutdown.Token));

    /// <summary>A discovery mechanism saw <paramref name="peer"/> at <paramref name="endpoints"/>: connect if not connected.</summary>
    public void OnDiscovered(PeerId peer, IReadOnlyList<IPEndPoint> endpoints, string source)
    {
        if (peer == _identity.Id || endpoints.Count == 0)
        {
            return;
        }

        bool startDial;
        lock (_lock)
        {
            var state = GetOrAddLocked(peer);
            state.LastDiscovered = _time.GetUtcNow();
            state.Sources.Add(source);
            foreach (var endpoint in endpoints.Reverse())
            {
                state.AddEndpoint(endpoint);
            }

            startDial = state.Connection is null && !state.Dialing && !_shutdown.IsCancellationRequested;
            if (startDial)
            {
                state.Dialing = true;
            }
        }

        if (startDial)
        {
            var wait = _identity.Id > peer ? _options.TieBreakDelay : TimeSpan.Zero;
            Track(DialLoopAsync(peer, wait, _shutdown.Token));
        }
    }

    /// <summary>Dials once and runs the hello; the connection is registered on success. For tests and `--peer`.</summary>
    public async Task<PeerId> ConnectAsync(IPEndPoint endpoint, PeerId? expected, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _shutdown.Token);
        timeout.CancelAfter(_options.ConnectTimeout);
        QuicConnection? quic = null;
        try
        {
            var expectedKey = expected is { } e ? e.ToArray() : ReadOnlyMemory<byte>.Empty;
            quic = await _endpoint.ConnectAsync(endpoint, timeout.Token, expectedKey);
            var peer = new PeerId(quic.PeerPublicKey.Span);
            if (peer == _identity.Id)
            {
                throw new HelloRefusedException($"{endpoint} is this node itself.");
            }

            var topics = await HelloExchange.AsClientAsync(quic, _identity.Id, Topics, timeout.Token);
            Register(new PeerConnection(quic, peer, weDialed: true, topics, _time.GetUtcNow()), endpoint);
            quic = null;
            return peer;
        }
        catch (QuicException ex) when (ex.ApplicationErrorCode == CloseCodes.NotAdmitted)
        {
            quic = null;
            throw new HelloRefusedException($"{endpoint} refused us: no topic in common.", ex);
        }
        catch (HelloRefusedException)
        {
            if (quic is not null)
            {
                await CloseQuietlyAsync(quic, CloseCodes.NotAdmitted);
                quic = null;
            }

            throw;
        }
        finally
        {
            if (quic is not null)
            {
                await CloseQuietlyAsync(quic, CloseCodes.HelloFailed);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_shutdown.IsCancellationRequested)
        {
            return;
        }

        await _shutdown.CancelAsync();
        List<PeerConnection> open;
        lock (_lock)
        {
            open = _peers.Values.Select(s => s.Connection).OfType<PeerConnection>().ToList();
        }

        await Task.WhenAll(open.Select(c => CloseQuietlyAsync(c.Quic, CloseCodes.GoingAway)));
        Task[] background;
        lock (_lock)
        {
            background = [.. _background];
        }

        await Task.WhenAll(background).WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { }, TaskScheduler.Default);
        _shutdown.Dispose();
    }

    private async Task AcceptLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            QuicConnection quic;
            try
            {
                quic = await _endpoint.AcceptConnectionAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (QuicException ex)
            {
                Log.AcceptFailed(_logger, ex);
                continue;
            }

            Track(AcceptOneAsync(quic, cancellationToken));
        }
    }

    private async Task AcceptOneAsync(QuicConnection quic, CancellationToken cancellationToken)
    {
        var peer = new PeerId(quic.PeerPublicKey.Span);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.ConnectTimeout);
        try
        {
            var topics = await HelloExchange.AsServerAsync(quic, _identity.Id, Topics, timeout.Token);
            lock (_lock)
            {
                GetOrAddLocked(peer).Sources.Add("inbound");
            }

            Register(new PeerConnection(quic, peer, weDialed: false, topics, _time.GetUtcNow()), quic.RemoteEndPoint);
        }
        catch (HelloRefusedException ex)
        {
            Log.Refused(_logger, quic.RemoteEndPoint, ex.Message);
            await CloseQuietlyAsync(quic, CloseCodes.NotAdmitted);
        }
        catch (Exception ex) when (ex is QuicException or OperationCanceledException or Protocol.ProtocolException)
        {
            Log.HelloFailed(_logger, quic.RemoteEndPoint, ex.Message);
            await CloseQuietlyAsync(quic, CloseCodes.HelloFailed);
        }
    }

    /// <summary>Adopts an admitted connection, applying the tie-break against an existing one.</summary>
    private void Register(PeerConnection connection, IPEndPoint endpoint)
    {
        PeerConnection? loser = null;
        lock (_lock)
        {
            var state = GetOrAddLocked(connection.Peer);
            var existing = state.Connection;
            var adopt = true;
            if (existing is not null && !existing.Quic.Closed.IsCompleted)
            {
                adopt = Prefer(connection, existing);
                loser = adopt ? existing : connection;
            }

            if (adopt)
            {
                state.Connection = connection;
                state.Topics = connection.Topics;
                state.DisconnectedSince = null;
                state.Visible = true;
                state.AddEndpoint(endpoint);
                RebuildPartyLocked();
            }
        }

        if (loser is not null)
        {
            Log.DuplicateClosed(_logger, new PeerLabel(connection.Peer));
            Track(CloseQuietlyAsync(loser.Quic, CloseCodes.Duplicate));
        }

        if (loser != connection)
        {
            Log.Connected(_logger, new PeerLabel(connection.Peer), connection.Quic.RemoteEndPoint, connection.WeDialed ? "outbound" : "inbound", connection.Topics.Count);
            Track(ServeAndWatchAsync(connection));
            RaiseChanged();
        }
    }

    /// <summary>True when <paramref name="candidate"/> should replace <paramref name="existing"/>.</summary>
    private bool Prefer(PeerConnection candidate, PeerConnection existing)
    {
        bool DialedBySmaller(PeerConnection c) => c.WeDialed ? _identity.Id < c.Peer : c.Peer < _identity.Id;
        var a = DialedBySmaller(candidate);
        var b = DialedBySmaller(existing);
        return a && !b; // same direction: keep the one already in use
    }

    private async Task ServeAndWatchAsync(PeerConnection connection)
    {
        try
        {
            await _server.ServeAsync(connection.Quic, connection.Peer, _shutdown.Token);
            await connection.Quic.Closed.WaitAsync(_shutdown.Token);
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception ex)
        {
            Log.ServeCrashed(_logger, ex, new PeerLabel(connection.Peer));
            await CloseQuietlyAsync(connection.Quic, CloseCodes.GoingAway);
        }
        finally
        {
            OnClosed(connection);
        }
    }

    private void OnClosed(PeerConnection connection)
    {
        bool redial;
        lock (_lock)
        {
            if (!_peers.TryGetValue(connection.Peer, out var state) || state.Connection != connection)
            {
                return; // a duplicate or replaced connection
            }

            state.Connection = null;
            state.DisconnectedSince = _time.GetUtcNow();
            redial = !state.Dialing && !state.Manual && !_shutdown.IsCancellationRequested && state.Endpoints.Count > 0;
            if (redial)
            {
                state.Dialing = true;
            }

            RebuildPartyLocked();
        }

        Log.Disconnected(_logger, new PeerLabel(connection.Peer), connection.Quic.CloseReason?.Message ?? "closed");
        RaiseChanged();
        if (redial)
        {
            Track(DialLoopAsync(connection.Peer, _options.ReconnectInitialDelay, _shutdown.Token));
        }
    }

    /// <summary>Dials a known peer until connected, with exponential back-off; gives up when the peer is no longer wanted.</summary>
    private async Task DialLoopAsync(PeerId peer, TimeSpan firstWait, CancellationToken cancellationToken)
    {
        var attempt = 0;
        var wait = firstWait;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                if (wait > TimeSpan.Zero)
                {
                    Log.ReconnectScheduled(_logger, new PeerLabel(peer), wait);
                    await Task.Delay(wait, _time, cancellationToken);
                }

                List<IPEndPoint> endpoints;
                lock (_lock)
                {
                    if (!_peers.TryGetValue(peer, out var state) || state.Connection is not null || !IsWantedLocked(state))
                    {
                        return;
                    }

                    endpoints = [.. state.Endpoints];
                }

                foreach (var endpoint in endpoints)
                {
                    try
                    {
                        await ConnectAsync(endpoint, peer, cancellationToken);
                        return;
                    }
                    catch (Exception ex) when (ex is QuicException or HelloRefusedException or OperationCanceledException or System.Net.Sockets.SocketException)
                    {
                        if (cancellationToken.IsCancellationRequested)
                        {
                            return;
                        }

                        Log.DialFailed(_logger, endpoint, ex.Message);
                    }
                }

                attempt++;
                wait = Backoff(attempt);
            }
        }
        finally
        {
            lock (_lock)
            {
                if (_peers.TryGetValue(peer, out var state))
                {
                    state.Dialing = false;
                }
            }
        }
    }

    private async Task ManualPeerLoopAsync(string hostAndPort, CancellationToken cancellationToken)
    {
        PeerId? known = null;
        var attempt = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            // Once we know who answers there, the per-peer dial loop keeps that connection alive.
            if (known is { } peer)
            {
                Task? closed;
                lock (_lock)
                {
                    closed = _peers.TryGetValue(peer, out var s) ? s.Connection?.Quic.Closed : null;
                }

                if (closed is not null)
                {
                    attempt = 0;
                    try
                    {
                        await closed.WaitAsync(cancellationToken);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }

                    await DelayQuietly(_options.ReconnectInitialDelay, cancellationToken);
                    continue;
                }
            }

            IPEndPoint? endpoint = null;
            try
            {
                endpoint = await ResolveAsync(hostAndPort, cancellationToken);
                var id = await ConnectAsync(endpoint, expected: null, cancellationToken);
                known = id;
                lock (_lock)
                {
                    var state = GetOrAddLocked(id);
                    state.Manual = true;
                    state.Sources.Add("manual");
                }

                continue;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is QuicException or HelloRefusedException or OperationCanceledException or System.Net.Sockets.SocketException or FormatException)
            {
                Log.ManualDialFailed(_logger, hostAndPort, ex.Message);
            }

            attempt++;
            await DelayQuietly(Backoff(attempt), cancellationToken);
        }
    }

    private async Task DepartureSweepAsync(CancellationToken cancellationToken)
    {
        var period = TimeSpan.FromTicks(Math.Max(TimeSpan.FromMilliseconds(200).Ticks, Math.Min(TimeSpan.FromSeconds(1).Ticks, _options.DepartedPeerGrace.Ticks / 4)));
        using var timer = new PeriodicTimer(period, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                var departed = new List<PeerId>();
                lock (_lock)
                {
                    var now = _time.GetUtcNow();
                    foreach (var state in _peers.Values)
                    {
                        if (state.Visible && state.Connection is null && state.DisconnectedSince is { } since && now - since >= _options.DepartedPeerGrace)
                        {
                            state.Visible = false;
                            departed.Add(state.Id);
                        }
                    }

                    if (departed.Count > 0)
                    {
                        RebuildPartyLocked();
                    }
                }

                foreach (var peer in departed)
                {
                    Log.PeerDeparted(_logger, new PeerLabel(peer), _options.DepartedPeerGrace);
                }

                if (departed.Count > 0)
                {
                    RaiseChanged();
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private bool IsWantedLocked(PeerState state)
    {
        var now = _time.GetUtcNow();
        return state.Manual
            || now - state.LastDiscovered < _options.DepartedPeerGrace
            || (state.DisconnectedSince is { } since && now - since < _options.DepartedPeerGrace);
    }

    private PeerState GetOrAddLocked(PeerId peer)
    {
        if (!_peers.TryGetValue(peer, out var state))
        {
            state = new PeerState(peer, new RemotePeerShares(peer, () => CurrentConnection(peer), _options));
            _peers.Add(peer, state);
        }

        return state;
    }

    private QuicConnection? CurrentConnection(PeerId peer)
    {
        lock (_lock)
        {
            return _peers.TryGetValue(peer, out var s) ? s.Connection?.Quic : null;
        }
    }

    private void RebuildParty()
    {
        lock (_lock)
        {
            RebuildPartyLocked();
        }
    }

    private void RebuildPartyLocked()
    {
        var list = new List<PeerInfo> { new(_identity.Id, PeerName.For(_identity.Id), IsSelf: true, IsConnected: true) };
        list.AddRange(_peers.Values.Where(s => s.Visible).Select(s => new PeerInfo(s.Id, PeerName.For(s.Id), IsSelf: false, IsConnected: s.Connection is not null)));
        _party = list;
    }

    private void RaiseChanged()
    {
        try
        {
            Changed?.Invoke(this, EventArgs.Empty);
        }
        catch (Exception ex)
        {
            Log.HandlerFailed(_logger, ex);
        }
    }

    private TimeSpan Backoff(int attempt)
    {
        var baseTicks = _options.ReconnectInitialDelay.Ticks * Math.Pow(2, Math.Min(attempt, 16));
        var capped = Math.Min(baseTicks, _options.ReconnectMaxDelay.Ticks);
        return TimeSpan.FromTicks((long)(capped * (0.5 + Random.Shared.NextDouble())));
    }

    private async Task DelayQuietly(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, _time, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task<IPEndPoint> ResolveAsync(string hostAndPort, CancellationToken cancellationToken)
    {
        if (IPEndPoint.TryParse(hostAndPort, out var direct) && direct.Port != 0)
        {
            return direct;
        }

        var colon = hostAndPort.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(hostAndPort.AsSpan(colon + 1), System.Globalization.CultureInfo.InvariantCulture, out var port) || port is <= 0 or > 65535)
        {
            throw new FormatException($"'{hostAndPort}' is not HOST:PORT.");
        }

        var addresses = await Dns.GetHostAddressesAsync(hostAndPort[..colon].Trim('[', ']'), cancellationToken);
        return addresses.Length > 0
            ? new IPEndPoint(addresses[0], port)
            : throw new FormatException($"'{hostAndPort}' resolves to no address.");
    }

    private static async Task CloseQuietlyAsync(QuicConnection connection, long code)
    {
        try
        {
            await connection.CloseAsync(code);
        }
        catch (Exception ex) when (ex is QuicException or ObjectDisposedException or OperationCanceledException)
        {
        }
    }

    private void Track(Task task)
    {
        lock (_lock)
        {
            _background.Add(task);
        }

        task.ContinueWith(
            t =>
            {
                lock (_lock)
                {
                    _background.Remove(t);
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }
}

using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace HddFs.Discovery.Stun;

/// <summary>Retransmission settings (RFC 5389 §7.2.1 uses RTO 500 ms, 7 requests; we give up sooner:
/// STUN here is an optimisation, never a requirement).</summary>
public sealed record StunClientOptions
{
    /// <summary>Wait after the first request; doubles after each retransmission.</summary>
    public TimeSpan InitialRto { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Requests sent in all (the first plus retransmissions); after the last one the client
    /// waits one more doubled RTO. Defaults: 0.5 + 1 + 2 + 4 = 7.5 s before giving up.</summary>
    public int MaxRequests { get; init; } = 4;
}

/// <summary>
/// RFC 5389 Binding client over an <see cref="IDatagramTransport"/>. Several queries may run at once
/// (NAT detection asks two servers in parallel): one receive loop reads the transport and completes
/// the pending query whose transaction id and server match; everything else is ignored.
/// A server that never answers yields null — never an exception.
/// </summary>
public sealed class StunClient : IAsyncDisposable
{
    private readonly IDatagramTransport _transport;
    private readonly StunClientOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _receive;

    // Pending transactions by hex transaction id; completed by the receive loop.
    private readonly ConcurrentDictionary<string, Pending> _pending = new(StringComparer.Ordinal);

    public StunClient(IDatagramTransport transport, StunClientOptions? options = null, TimeProvider? timeProvider = null, ILogger<StunClient>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(transport);
        _transport = transport;
        _options = options ?? new StunClientOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxRequests, 1);
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _receive = Task.Run(() => ReceiveLoopAsync(_stop.Token));
    }

    /// <summary>
    /// True when a datagram is a STUN message (first two bits zero, length consistent, magic cookie):
    /// how a socket shared with QUIC tells STUN apart (QUIC packets always have the 0x40 bit set).
    /// </summary>
    public static bool IsStunMessage(ReadOnlySpan<byte> datagram) => StunMessage.TryReadHeader(datagram, out _, out _);

    /// <summary>Our address and port as <paramref name="server"/> sees them; null when it does not
    /// answer in time or answers with an error.</summary>
    public async Task<IPEndPoint?> QueryAsync(IPEndPoint server, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(server);
        server = Normalize(server);
        var transactionId = RandomNumberGenerator.GetBytes(StunMessage.TransactionIdLength);
        var key = Convert.ToHexString(transactionId);
        var pending = new Pending(server);
        _pending[key] = pending;
        try
        {
            var request = StunMessage.BuildBindingRequest(transactionId);
            var rto = _options.InitialRto;
            for (var attempt = 1; attempt <= _options.MaxRequests; attempt++)
            {
                try
                {
                    await _transport.SendAsync(server, request, cancellationToken);
                }
                catch (System.Net.Sockets.SocketException ex)
                {
                    _logger.StunSendFailed(server, ex.Message);
                    return null; // no route to this server: retrying will not help
                }

                var wait = attempt == _options.MaxRequests ? rto * 2 : rto;
                using var timer = new CancellationTokenSource(wait, _time);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(timer.Token, cancellationToken);
                try
                {
                    return await pending.Result.Task.WaitAsync(linked.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    rto *= 2; // no answer yet: retransmit
                }
            }

            _logger.StunNoAnswer(server, _options.MaxRequests);
            return null;
        }
        finally
        {
            _pending.TryRemove(key, out _);
        }
    }

    private async Task ReceiveLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var datagram in _transport.Received.ReadAllAsync(cancellationToken))
            {
                try
                {
                    Dispatch(datagram);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    _logger.LoopFailed("stun receive", ex);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Dispatch(Datagram datagram)
    {
        var span = datagram.Data.Span;
        if (!StunMessage.TryReadHeader(span, out _, out var transactionId)
            || !_pending.TryGetValue(Convert.ToHexString(transactionId), out var pending))
        {
            _logger.StunIgnored(datagram.From);
            return;
        }

        if (!Normalize(datagram.From).Equals(pending.Server))
        {
            _logger.StunIgnored(datagram.From); // right id, wrong sender: a guess or a spoof
            return;
        }

        if (!StunMessage.TryParseBindingResponse(span, out var mapped, out var errorCode))
        {
            _logger.StunIgnored(datagram.From);
            return;
        }

        if (mapped is null)
        {
            _logger.StunError(pending.Server, errorCode);
        }

        pending.Result.TrySetResult(mapped);
    }

    private static IPEndPoint Normalize(IPEndPoint e) => e.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(e.Address.MapToIPv4(), e.Port) : e;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _receive;
        foreach (var p in _pending.Values)
        {
            p.Result.TrySetResult(null);
        }

        _stop.Dispose();
    }

    private sealed class Pending(IPEndPoint server)
    {
        public IPEndPoint Server { get; } = server;

        public TaskCompletionSource<IPEndPoint?> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

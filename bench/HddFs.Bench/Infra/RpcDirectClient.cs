using System.Diagnostics;
using System.Net;
using HddFs.Core;
using HddFs.Peers;
using HddFs.Peers.Connections;
using HddFs.Peers.Identity;
using HddFs.Quic;
using Microsoft.Extensions.Logging.Abstractions;

namespace HddFs.Bench.Infra;

/// <summary>
/// The RPC with neither the CLI nor the control socket in the way: a client peer composed in this process
/// (ephemeral identity, a QUIC endpoint, the peer layer's <see cref="ConnectionManager"/>, default options) dials
/// the serving daemon and runs the hello on the topic; <see cref="Shares"/> is then what the mounting daemon uses
/// for each listing and block fetch, minus the VFS and the block cache. Dispose to close the connection.
/// </summary>
internal sealed class RpcDirectClient : IAsyncDisposable
{
    private const int BufferSize = 1 << 20;

    // owned: disposed in reverse order of creation
    private readonly NodeIdentity _identity;
    private readonly QuicEndpoint _endpoint;
    private readonly ConnectionManager _manager;

    private RpcDirectClient(NodeIdentity identity, QuicEndpoint endpoint, ConnectionManager manager, IRemoteShares shares)
    {
        _identity = identity;
        _endpoint = endpoint;
        _manager = manager;
        Shares = shares;
    }

    /// <summary>The serving peer's shares, over the connection.</summary>
    public IRemoteShares Shares { get; }

    /// <summary>Dials the peer at 127.0.0.1:<paramref name="port"/> and completes the hello on <paramref name="topic"/>.</summary>
    public static async Task<RpcDirectClient> ConnectAsync(int port, string topic, CancellationToken cancellationToken)
    {
        var identity = NodeIdentity.CreateEphemeral();
        QuicEndpoint? endpoint = null;
        ConnectionManager? manager = null;
        try
        {
            endpoint = QuicEndpoint.Create(new QuicEndpointOptions
            {
                LocalEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
                CertificatePem = identity.CreateCertificatePem(DateTimeOffset.UtcNow),
                PrivateKeyPem = identity.ExportPrivateKeyPem(),
                ApplicationProtocol = PeerOptions.ApplicationProtocol,
                AcceptIncomingConnections = false,
            });
            manager = new ConnectionManager(identity, endpoint, NoShares.Instance, [TopicKey.FromName(topic)], new PeerOptions(), NullLoggerFactory.Instance, TimeProvider.System);
            var peer = await manager.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), expected: null, cancellationToken);
            var shares = manager.GetShares(peer) ?? throw new InvalidOperationException($"connected to {peer} but it has no shares in the party");
            return new RpcDirectClient(identity, endpoint, manager, shares);
        }
        catch
        {
            if (manager is not null)
            {
                await manager.DisposeAsync();
            }

            if (endpoint is not null)
            {
                await endpoint.DisposeAsync();
            }

            identity.Dispose();
            throw;
        }
    }

    /// <summary>Reads <paramref name="length"/> bytes of SHARE/PATH from the peer at 127.0.0.1:<paramref name="port"/> into
    /// a 1 MiB buffer; returns the bytes received and the time from the request to the last byte (the dial and hello
    /// are not timed).</summary>
    public static async Task<(long Bytes, TimeSpan Elapsed)> ReadAsync(int port, string topic, string path, long length, CancellationToken cancellationToken)
    {
        await using var client = await ConnectAsync(port, topic, cancellationToken);
        var stopwatch = Stopwatch.StartNew();
        await using var read = await client.Shares.ReadAsync(SharePath.Parse(path), 0, length, cancellationToken);
        var buffer = new byte[BufferSize];
        long total = 0;
        int received;
        while ((received = await read.Body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            total += received;
        }

        return (total, stopwatch.Elapsed);
    }

    /// <summary>One whole listing of SHARE/PATH: the number of entries and the time from request to last page.</summary>
    public async Task<(int Entries, TimeSpan Elapsed)> ListAsync(string path, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var entries = 0;
        await foreach (var page in Shares.ListAsync(new LsQuery(SharePath.Parse(path)), cancellationToken))
        {
            entries += page.Count;
        }

        return (entries, Stopwatch.GetElapsedTime(started));
    }

    public async ValueTask DisposeAsync()
    {
        await _manager.DisposeAsync();
        await _endpoint.DisposeAsync();
        _identity.Dispose();
    }

    /// <summary>The client shares nothing.</summary>
    private sealed class NoShares : ILocalShares
    {
        public static readonly NoShares Instance = new();

        public IAsyncEnumerable<IReadOnlyList<RemoteEntry>> ListAsync(LsQuery query, int pageSize, CancellationToken cancellationToken)
            => throw new RemoteShareException(RemoteError.NotFound, "this bench client shares nothing");

        public RemoteEntry? GetEntry(SharePath path) => null;

        public FileStream OpenRead(SharePath path) => throw new RemoteShareException(RemoteError.NotFound, "this bench client shares nothing");
    }
}

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
/// The read RPC with neither the CLI nor the control socket in the way: a client peer composed in this process
/// (ephemeral identity, a QUIC endpoint, the peer layer's <see cref="ConnectionManager"/>, default options) dials
/// the serving daemon, runs the hello on the topic and reads one byte range into a 1 MiB buffer. This is what the
/// mounting daemon does for each block fetch, minus the block cache.
/// </summary>
internal static class RpcDirectClient
{
    private const int BufferSize = 1 << 20;

    /// <summary>Reads <paramref name="length"/> bytes of SHARE/PATH from the peer at 127.0.0.1:<paramref name="port"/>;
    /// returns the bytes received and the time from the request to the last byte (the dial and hello are not timed).</summary>
    public static async Task<(long Bytes, TimeSpan Elapsed)> ReadAsync(int port, string topic, string path, long length, CancellationToken cancellationToken)
    {
        using var identity = NodeIdentity.CreateEphemeral();
        await using var endpoint = QuicEndpoint.Create(new QuicEndpointOptions
        {
            LocalEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            CertificatePem = identity.CreateCertificatePem(DateTimeOffset.UtcNow),
            PrivateKeyPem = identity.ExportPrivateKeyPem(),
            ApplicationProtocol = PeerOptions.ApplicationProtocol,
            AcceptIncomingConnections = false,
        });
        await using var manager = new ConnectionManager(identity, endpoint, NoShares.Instance, [TopicKey.FromName(topic)], new PeerOptions(), NullLoggerFactory.Instance, TimeProvider.System);
        var peer = await manager.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), expected: null, cancellationToken);
        var shares = manager.GetShares(peer) ?? throw new InvalidOperationException($"connected to {peer} but it has no shares in the party");

        var stopwatch = Stopwatch.StartNew();
        await using var read = await shares.ReadAsync(SharePath.Parse(path), 0, length, cancellationToken);
        var buffer = new byte[BufferSize];
        long total = 0;
        int received;
        while ((received = await read.Body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            total += received;
        }

        return (total, stopwatch.Elapsed);
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

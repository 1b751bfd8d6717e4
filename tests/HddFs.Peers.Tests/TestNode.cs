using System.Net;
using HddFs.Core;
using HddFs.Peers.Connections;
using HddFs.Peers.Identity;
using HddFs.Quic;
using HddFs.Shares;
using HddFs.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace HddFs.Peers.Tests;

/// <summary>A peer for tests: ephemeral identity, a real share index over a temp tree, a QUIC endpoint
/// on loopback and a connection manager. Dispose tears everything down.</summary>
public sealed class TestNode : IAsyncDisposable
{
    private TestNode(NodeIdentity identity, TempDirectory files, ShareIndex index, QuicEndpoint endpoint, ConnectionManager manager)
    {
        Identity = identity;
        Files = files;
        Index = index;
        Endpoint = endpoint;
        Manager = manager;
    }

    public NodeIdentity Identity { get; }

    public TempDirectory Files { get; }

    public ShareIndex Index { get; }

    public QuicEndpoint Endpoint { get; }

    public ConnectionManager Manager { get; }

    public PeerId Id => Identity.Id;

    public IPEndPoint Address => new(IPAddress.Loopback, Endpoint.LocalEndPoint.Port);

    public static async Task<TestNode> StartAsync(string[] topics, PeerOptions? options = null, int port = 0, Action<TempDirectory>? populate = null)
    {
        var identity = NodeIdentity.CreateEphemeral();
        var files = new TempDirectory("hddfs-peer");
        var share = Directory.CreateDirectory(Path.Combine(files.Path, "share", "Music")).FullName;
        File.WriteAllText(Path.Combine(share, "somefile"), "boop\n");
        Directory.CreateDirectory(Path.Combine(share, "subdir", "subsubdir"));
        File.WriteAllText(Path.Combine(share, "subdir", "anotherfile"), "again\n");
        File.WriteAllText(Path.Combine(share, "subdir", "subsubdir", "yetanotherfile"), "thing\n");
        populate?.Invoke(files);
        var index = await ShareIndex.OpenAsync(Path.Combine(files.Path, "index.db"), NullLoggerFactory.Instance, TimeProvider.System, new ShareIndexOptions { WatchForChanges = false });
        foreach (var dir in Directory.GetDirectories(Path.Combine(files.Path, "share")))
        {
            await index.AddShareAsync(dir);
        }
        var endpoint = QuicEndpoint.Create(new QuicEndpointOptions
        {
            LocalEndPoint = new IPEndPoint(IPAddress.Loopback, port),
            CertificatePem = identity.CreateCertificatePem(DateTimeOffset.UtcNow),
            PrivateKeyPem = identity.ExportPrivateKeyPem(),
            ApplicationProtocol = PeerOptions.ApplicationProtocol,
            IdleTimeout = TimeSpan.FromSeconds(5),
            KeepAliveInterval = TimeSpan.FromSeconds(1),
        });
        var manager = new ConnectionManager(identity, endpoint, index, topics.Select(TopicKey.FromName), options ?? Fast, NullLoggerFactory.Instance, TimeProvider.System);
        manager.Start();
        return new TestNode(identity, files, index, endpoint, manager);
    }

    public static PeerOptions Fast { get; } = new()
    {
        RequestTimeout = TimeSpan.FromSeconds(3),
        ConnectTimeout = TimeSpan.FromSeconds(5),
        ReconnectInitialDelay = TimeSpan.FromMilliseconds(200),
        ReconnectMaxDelay = TimeSpan.FromSeconds(1),
        TieBreakDelay = TimeSpan.FromMilliseconds(300),
        DepartedPeerGrace = TimeSpan.FromSeconds(2),
    };

    public IRemoteShares SharesOf(TestNode other)
        => Manager.GetShares(other.Id) ?? throw new InvalidOperationException($"{PeerName.Display(other.Id)} is not in the party of {PeerName.Display(Id)}");

    /// <summary>Polls until <paramref name="condition"/> holds or fails the test after <paramref name="timeout"/>.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out after {timeout} waiting for: {what}");
            }

            await Task.Delay(25);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Manager.DisposeAsync();
        await Endpoint.DisposeAsync();
        await Index.DisposeAsync();
        Identity.Dispose();
        Files.Dispose();
    }
}

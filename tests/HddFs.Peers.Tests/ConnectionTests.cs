using HddFs.Core;
using HddFs.Peers.Connections;

namespace HddFs.Peers.Tests;

/// <summary>Admission by topic, tie-break, reconnection, departure.</summary>
public sealed class ConnectionTests
{
    [Fact]
    public async Task Connect_NoCommonTopic_RefusedOnBothSides()
    {
        await using var a = await TestNode.StartAsync(["one"]);
        await using var b = await TestNode.StartAsync(["two"]);
        await Assert.ThrowsAsync<HelloRefusedException>(() => a.Manager.ConnectAsync(b.Address, null, CancellationToken.None));
        await Task.Delay(300);
        Assert.DoesNotContain(a.Manager.Peers, p => p.Id == b.Id);
        Assert.DoesNotContain(b.Manager.Peers, p => p.Id == a.Id);
        Assert.Null(b.Manager.GetShares(a.Id));
    }

    [Fact]
    public async Task Connect_OneOfSeveralTopicsShared_Admitted()
    {
        await using var a = await TestNode.StartAsync(["one", "two"]);
        await using var b = await TestNode.StartAsync(["three", "two"]);
        await a.Manager.ConnectAsync(b.Address, null, CancellationToken.None);
        var snapshot = Assert.Single(a.Manager.Snapshot());
        Assert.Equal("two", Assert.Single(snapshot.Topics).Name);
    }

    [Fact]
    public async Task Connect_TwoTopicsShared_PeerAppearsOnce()
    {
        await using var a = await TestNode.StartAsync(["one", "two"]);
        await using var b = await TestNode.StartAsync(["two", "one"]);
        a.Manager.OnDiscovered(b.Id, [b.Address], "mdns");
        a.Manager.OnDiscovered(b.Id, [b.Address], "mqtt");
        await TestNode.WaitUntilAsync(() => a.Manager.Peers.Any(p => p.Id == b.Id && p.IsConnected), TimeSpan.FromSeconds(10), "connected");
        Assert.Single(a.Manager.Peers, p => p.Id == b.Id);
        var snapshot = Assert.Single(a.Manager.Snapshot());
        Assert.Equal(["one", "two"], snapshot.Topics.Select(t => t.Name).Order(StringComparer.Ordinal));
        Assert.Equal(["mdns", "mqtt"], snapshot.Sources);
    }

    [Fact]
    public async Task Connect_WrongExpectedKey_Fails()
    {
        await using var a = await TestNode.StartAsync(["t"]);
        await using var b = await TestNode.StartAsync(["t"]);
        await using var c = await TestNode.StartAsync(["t"]);
        await Assert.ThrowsAnyAsync<Exception>(() => a.Manager.ConnectAsync(b.Address, c.Id, CancellationToken.None));
        Assert.DoesNotContain(a.Manager.Peers, p => p.Id == b.Id);
    }

    [Fact]
    public async Task BothDialAtOnce_ExactlyOneConnectionSurvives()
    {
        await using var a = await TestNode.StartAsync(["t"]);
        await using var b = await TestNode.StartAsync(["t"]);
        a.Manager.OnDiscovered(b.Id, [b.Address], "test");
        b.Manager.OnDiscovered(a.Id, [a.Address], "test");
        await TestNode.WaitUntilAsync(() => a.Manager.Peers.Any(p => p.Id == b.Id && p.IsConnected) && b.Manager.Peers.Any(p => p.Id == a.Id && p.IsConnected), TimeSpan.FromSeconds(10), "connected");
        await Task.Delay(1000);
        var fromA = Assert.Single(a.Manager.Snapshot());
        var fromB = Assert.Single(b.Manager.Snapshot());
        Assert.True(fromA.Connected && fromB.Connected);
        // The same connection on both sides: one dialed it, the other accepted it — the smaller key dialed.
        Assert.NotEqual(fromA.WeDialed, fromB.WeDialed);
        Assert.Equal(a.Id < b.Id, fromA.WeDialed);
        Assert.Equal("boop\n"u8.ToArray(), await RpcTests.ReadAll(a.SharesOf(b), "Music/somefile", 0, 10));
    }

    [Fact]
    public async Task PeerRestarts_ManualPeerReconnects()
    {
        await using var a = await TestNode.StartAsync(["t"]);
        var b = await TestNode.StartAsync(["t"]);
        var port = b.Endpoint.LocalEndPoint.Port;
        a.Manager.AddManualPeer($"127.0.0.1:{port}");
        await TestNode.WaitUntilAsync(() => a.Manager.Peers.Any(p => p.Id == b.Id && p.IsConnected), TimeSpan.FromSeconds(10), "first connection");
        await b.DisposeAsync();
        await TestNode.WaitUntilAsync(() => !a.Manager.Peers.Any(p => p.Id == b.Id && p.IsConnected), TimeSpan.FromSeconds(10), "disconnect noticed");

        await using var again = await TestNode.StartAsync(["t"], port: port);
        await TestNode.WaitUntilAsync(() => a.Manager.Peers.Any(p => p.Id == again.Id && p.IsConnected), TimeSpan.FromSeconds(15), "reconnected to the restarted peer");
    }

    [Fact]
    public async Task PeerVanishes_ReadsFailFast_ThenPeerLeavesAfterGrace()
    {
        await using var a = await TestNode.StartAsync(["t"]);
        var b = await TestNode.StartAsync(["t"]);
        await a.Manager.ConnectAsync(b.Address, null, CancellationToken.None);
        var shares = a.SharesOf(b);
        var bId = b.Id;
        await b.DisposeAsync();

        var watch = System.Diagnostics.Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<RemoteShareException>(() => RpcTests.ReadAll(shares, "Music/somefile", 0, 10));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
        Assert.Contains(ex.Error, new[] { RemoteError.Unavailable, RemoteError.Timeout });

        await TestNode.WaitUntilAsync(() => a.Manager.Peers.Any(p => p.Id == bId && !p.IsConnected) || !a.Manager.Peers.Any(p => p.Id == bId), TimeSpan.FromSeconds(10), "shown as disconnected");
        await TestNode.WaitUntilAsync(() => !a.Manager.Peers.Any(p => p.Id == bId), TimeSpan.FromSeconds(15), "removed after the grace period");
    }

    [Fact]
    public async Task LeaveSharedTopic_ClosesConnection()
    {
        await using var a = await TestNode.StartAsync(["t"]);
        await using var b = await TestNode.StartAsync(["t"]);
        await a.Manager.ConnectAsync(b.Address, null, CancellationToken.None);
        a.Manager.SetTopics([TopicKey.FromName("other")]);
        await TestNode.WaitUntilAsync(() => !b.Manager.Peers.Any(p => p.Id == a.Id && p.IsConnected), TimeSpan.FromSeconds(10), "b notices");
    }
}

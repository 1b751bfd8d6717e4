using HddFs.Core;
using HddFs.Daemon.Control;
using HddFs.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace HddFs.Daemon.Tests;

/// <summary>The control API end to end over its Unix socket: server, client and error map.</summary>
public sealed class ControlApiTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new("hddfs-ctl");
    private readonly FakeRemoteShares _remote = new(FakeRemoteShares.NewPeerId(7));
    private ControlServer _server = null!;
    private ControlClient _client = null!;
    private PeerInfo _peer = null!;

    public async Task InitializeAsync()
    {
        _remote.AddFile("Music/a.flac", FakeRemoteShares.Pattern(3000));
        _remote.AddFile("Music/b.flac", FakeRemoteShares.Pattern(10));
        _remote.AddDirectory("Music/sub");
        _peer = new PeerInfo(_remote.Peer, PeerName.For(_remote.Peer), false, true);
        var socket = Path.Combine(_dir.Path, "control.sock");
        _server = await ControlServer.StartAsync(new FakeDaemonControl(_remote, _peer), socket, NullLoggerFactory.Instance, CancellationToken.None);
        _client = new ControlClient(socket, TimeSpan.FromSeconds(10));
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public void Socket_IsOwnerOnly() => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_server.SocketPath));

    [Fact]
    public async Task Id_Peers_Shares_Topics_RoundTrip()
    {
        Assert.Equal("brave-otter", (await _client.GetIdentityAsync(default)).Name);
        var peer = Assert.Single(await _client.GetPeersAsync(default));
        Assert.Equal(_remote.Peer.ToHex(), peer.Key);
        Assert.Equal("Music", Assert.Single(await _client.GetSharesAsync(default)).Name);
        Assert.Equal("foo", Assert.Single(await _client.GetTopicsAsync(default)).Name);
        await _client.JoinTopicAsync("bar", default);
        Assert.Equal(2, (await _client.GetTopicsAsync(default)).Length);
        await _client.LeaveTopicAsync("bar", default);
        var ex = await Assert.ThrowsAsync<ControlException>(() => _client.LeaveTopicAsync("bar", default));
        Assert.Equal(ControlError.NotFound, ex.Error);
    }

    [Fact]
    public async Task Ls_StreamsEntries_ByNameOrKeyPrefix()
    {
        var byName = await ToList(_client.ListAsync(_peer.Name, "Music", null, false, default));
        Assert.Equal(["a.flac", "b.flac", "sub"], byName.Select(e => e.Name).Order(StringComparer.Ordinal));
        var byKey = await ToList(_client.ListAsync(_remote.Peer.ToHex()[..10], "/Music/", null, false, default));
        Assert.Equal(3, byKey.Count);
        Assert.True(byKey.Single(e => e.Name == "sub").Directory);
    }

    [Fact]
    public async Task Ls_UnknownPeer_And_UnknownPath_TypedErrors()
    {
        var unknown = await Assert.ThrowsAsync<ControlException>(() => ToList(_client.ListAsync("nobody-here", "", null, false, default)));
        Assert.Equal(ControlError.UnknownPeer, unknown.Error);
        var missing = await Assert.ThrowsAsync<ControlException>(() => ToList(_client.ListAsync(_peer.Name, "Nope", null, false, default)));
        Assert.Equal(ControlError.NotFound, missing.Error);
        var bad = await Assert.ThrowsAsync<ControlException>(() => ToList(_client.ListAsync(_peer.Name, "Music/../..", null, false, default)));
        Assert.Equal(ControlError.BadRequest, bad.Error);
    }

    [Fact]
    public async Task Cat_WholeAndRange_ExactBytes()
    {
        var source = FakeRemoteShares.Pattern(3000);
        using var all = new MemoryStream();
        Assert.Equal(3000, await _client.CatAsync(_peer.Name, "Music/a.flac", 0, null, all, default));
        Assert.Equal(source, all.ToArray());
        using var part = new MemoryStream();
        await _client.CatAsync(_peer.Name, "Music/a.flac", 100, 50, part, default);
        Assert.Equal(source.AsSpan(100, 50).ToArray(), part.ToArray());
    }

    [Fact]
    public async Task Cat_PeerFails_TypedErrorNotPartialData()
    {
        _remote.FailWith = RemoteError.Unavailable;
        using var sink = new MemoryStream();
        var ex = await Assert.ThrowsAsync<ControlException>(() => _client.CatAsync(_peer.Name, "Music/a.flac", 0, null, sink, default));
        Assert.Equal(ControlError.Unavailable, ex.Error);
        Assert.Equal(6, ControlErrors.ToExitCode(ex.Error));
        Assert.Equal(0, sink.Length);
    }

    [Fact]
    public async Task Shares_AddMissingDirectory_BadRequest()
    {
        var ex = await Assert.ThrowsAsync<ControlException>(() => _client.AddShareAsync("/definitely/not/here", default));
        Assert.Equal(ControlError.BadRequest, ex.Error);
    }

    [Fact]
    public async Task SecondServer_SameSocket_Refused()
    {
        var ex = await Assert.ThrowsAsync<ControlException>(() => ControlServer.StartAsync(new FakeDaemonControl(_remote, _peer), _server.SocketPath, NullLoggerFactory.Instance, CancellationToken.None));
        Assert.Equal(ControlError.Conflict, ex.Error);
    }

    [Fact]
    public async Task NoDaemon_DaemonNotRunning()
    {
        using var client = new ControlClient(Path.Combine(_dir.Path, "nothing.sock"));
        var ex = await Assert.ThrowsAsync<ControlException>(() => client.GetIdentityAsync(default));
        Assert.Equal(ControlError.DaemonNotRunning, ex.Error);
    }

    private static async Task<List<EntryInfo>> ToList(IAsyncEnumerable<EntryInfo> entries)
    {
        var list = new List<EntryInfo>();
        await foreach (var e in entries)
        {
            list.Add(e);
        }

        return list;
    }
}

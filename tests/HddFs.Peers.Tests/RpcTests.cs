using System.Security.Cryptography;
using HddFs.Core;
using HddFs.Protocol;
using HddFs.Quic;

namespace HddFs.Peers.Tests;

/// <summary>`ls` and `read` between two real nodes over QUIC on loopback.</summary>
public sealed class RpcTests : IAsyncLifetime
{
    private TestNode _a = null!;
    private TestNode _b = null!;

    public async Task InitializeAsync()
    {
        _a = await TestNode.StartAsync(["party"]);
        _b = await TestNode.StartAsync(["party"], populate: files =>
        {
            var big = new byte[5 * 1024 * 1024 + 123];
            new Random(42).NextBytes(big);
            File.WriteAllBytes(Path.Combine(files.Path, "share", "Music", "big.bin"), big);
            Directory.CreateDirectory(Path.Combine(files.Path, "share", "Music2"));
        });
        await _a.Manager.ConnectAsync(_b.Address, null, CancellationToken.None);
        await TestNode.WaitUntilAsync(() => _b.Manager.Peers.Any(p => p.Id == _a.Id), TimeSpan.FromSeconds(5), "b sees a");
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
    }

    [Fact]
    public void Connect_BothSidesSeeEachOther_WithDerivedNames()
    {
        var seenByA = Assert.Single(_a.Manager.Peers, p => !p.IsSelf);
        Assert.Equal(_b.Id, seenByA.Id);
        Assert.True(seenByA.IsConnected);
        Assert.Equal(PeerName.For(_b.Id), seenByA.Name);
        Assert.Contains(_b.Manager.Peers, p => p.Id == _a.Id && p.IsConnected);
        Assert.Contains(_a.Manager.Peers, p => p.IsSelf && p.Id == _a.Id);
    }

    [Fact]
    public async Task List_RootAndDirectories_MatchTheSourceTree()
    {
        var shares = _a.SharesOf(_b);
        var root = await All(shares.ListAsync(new LsQuery(SharePath.Root), CancellationToken.None));
        Assert.Equal(["Music", "Music2"], root.Select(e => e.Path.Value).Order(StringComparer.Ordinal));

        var music = await All(shares.ListAsync(new LsQuery(SharePath.Parse("Music")), CancellationToken.None));
        Assert.Equal(["Music/big.bin", "Music/somefile", "Music/subdir"], music.Select(e => e.Path.Value).Order(StringComparer.Ordinal));
        Assert.Equal(5L, music.Single(e => e.Name == "somefile").Size);
        Assert.True(music.Single(e => e.Name == "subdir").IsDirectory);
        Assert.Equal(12L, music.Single(e => e.Name == "subdir").Size);

        var recursive = await All(shares.ListAsync(new LsQuery(SharePath.Parse("Music/subdir"), Recursive: true), CancellationToken.None));
        Assert.Equal(3, recursive.Count);
    }

    [Fact]
    public async Task List_PrefixOfAnotherShare_NeverMatches()
    {
        var music2 = await All(_a.SharesOf(_b).ListAsync(new LsQuery(SharePath.Parse("Music2")), CancellationToken.None));
        Assert.Empty(music2);
        var search = await All(_a.SharesOf(_b).ListAsync(new LsQuery(SharePath.Parse("Music"), Search: "SOMEF"), CancellationToken.None));
        Assert.Equal("Music/somefile", Assert.Single(search).Path.Value);
    }

    [Fact]
    public async Task Read_WholeAndRanges_ExactBytes()
    {
        var source = await File.ReadAllBytesAsync(Path.Combine(_b.Files.Path, "share", "Music", "big.bin"));
        var shares = _a.SharesOf(_b);
        Assert.Equal(SHA256.HashData(source), SHA256.HashData(await ReadAll(shares, "Music/big.bin", 0, long.MaxValue)));
        Assert.Equal(source.AsSpan(1_000_000, 77).ToArray(), await ReadAll(shares, "Music/big.bin", 1_000_000, 77));
        Assert.Equal(source.AsSpan(source.Length - 10).ToArray(), await ReadAll(shares, "Music/big.bin", source.Length - 10, 1000));
        Assert.Empty(await ReadAll(shares, "Music/big.bin", source.Length, 10));
    }

    [Theory]
    [InlineData("Music/nothing", 0, RemoteError.NotFound)]
    [InlineData("Music/subdir", 0, RemoteError.NotAFile)]
    [InlineData("Elsewhere/x", 0, RemoteError.NotFound)]
    [InlineData("Music/somefile", 6, RemoteError.BadRange)]
    public async Task Read_BadRequests_TypedErrorsAndPeerKeepsServing(string path, long offset, RemoteError expected)
    {
        var shares = _a.SharesOf(_b);
        var ex = await Assert.ThrowsAsync<RemoteShareException>(async () => await ReadAll(shares, path, offset, 10));
        Assert.Equal(expected, ex.Error);
        Assert.Equal("boop\n"u8.ToArray(), await ReadAll(shares, "Music/somefile", 0, 100));
    }

    [Fact]
    public async Task GarbageOnAStream_FailsThatStreamOnly()
    {
        await using var c = await TestNode.StartAsync(["party"]);
        var connection = await OpenRawConnectionAsync(c);
        await using (var stream = await connection.OpenBidirectionalStreamAsync(CancellationToken.None))
        {
            await stream.WriteAsync(new byte[] { 0, 0, 0, 3, 0x99, 1, 2 });
            stream.CompleteWrites();
            var answer = await FrameReader.ReadAsync(stream, CancellationToken.None);
            Assert.IsType<ErrorResponse>(answer);
        }

        await using (var stream = await connection.OpenBidirectionalStreamAsync(CancellationToken.None))
        {
            await FrameWriter.WriteAsync(stream, new LsRequest(SharePath.Parse("Music"), null, false), CancellationToken.None);
            stream.CompleteWrites();
            Assert.IsType<LsPage>(await FrameReader.ReadAsync(stream, CancellationToken.None));
        }
    }

    [Fact]
    public async Task ManyParallelReads_AllCorrect()
    {
        var shares = _a.SharesOf(_b);
        var reads = Enumerable.Range(0, 50).Select(i => ReadAll(shares, "Music/subdir/anotherfile", 0, 100));
        foreach (var bytes in await Task.WhenAll(reads))
        {
            Assert.Equal("again\n"u8.ToArray(), bytes);
        }
    }

    [Fact]
    public async Task ReadOfOwnShares_ServedLocally()
    {
        var self = _a.Manager.GetShares(_a.Id)!;
        Assert.Equal("boop\n"u8.ToArray(), await ReadAll(self, "Music/somefile", 0, 100));
    }

    /// <summary>A connection that completed the hello but is not registered (to send raw frames).</summary>
    private async Task<QuicConnection> OpenRawConnectionAsync(TestNode from)
    {
        var connection = await from.Endpoint.ConnectAsync(_b.Address, CancellationToken.None);
        var proofs = TopicHandshake.CreateHello([TopicKey.FromName("party")], HelloRole.Client, from.Id, _b.Id);
        await using var hello = await connection.OpenBidirectionalStreamAsync(CancellationToken.None);
        await FrameWriter.WriteAsync(hello, proofs, CancellationToken.None);
        hello.CompleteWrites();
        Assert.IsType<Hello>(await FrameReader.ReadAsync(hello, CancellationToken.None));
        return connection;
    }

    internal static async Task<List<RemoteEntry>> All(IAsyncEnumerable<IReadOnlyList<RemoteEntry>> pages)
    {
        var all = new List<RemoteEntry>();
        await foreach (var page in pages)
        {
            all.AddRange(page);
        }

        return all;
    }

    internal static async Task<byte[]> ReadAll(IRemoteShares shares, string path, long offset, long length)
    {
        await using var read = await shares.ReadAsync(SharePath.Parse(path), offset, length, CancellationToken.None);
        using var buffer = new MemoryStream();
        await read.Body.CopyToAsync(buffer);
        Assert.Equal(read.Length, buffer.Length);
        return buffer.ToArray();
    }
}

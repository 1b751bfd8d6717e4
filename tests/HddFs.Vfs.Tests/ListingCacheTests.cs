using HddFs.Core;
using HddFs.Testing;

namespace HddFs.Vfs.Tests;

public sealed class ListingCacheTests
{
    private static readonly PeerId Peer = FakeRemoteShares.NewPeerId(1);
    private static readonly DateTimeOffset Now = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static NodeKey Dir(string path) => new(Peer, SharePath.Parse(path));

    private static DirectoryListing Listing(string dir, int entries)
    {
        var items = Enumerable.Range(0, entries).Select(i => new RemoteEntry(SharePath.Parse($"{dir}/f{i}"), i, false, 0)).ToArray();
        return new DirectoryListing(Dir(dir), items, items.Select(e => e.Name).ToArray(), new ulong[entries]);
    }

    private static void Install(ListingCache cache, string dir, int entries, DateTimeOffset freshUntil)
    {
        cache.JoinOrStartRefresh(Dir(dir), out var owner);
        cache.Complete(Dir(dir), owner!, Listing(dir, entries), freshUntil);
    }

    [Fact]
    public void Refresh_SecondCallerWhileInFlight_JoinsTheFirst()
    {
        var cache = new ListingCache(100);

        var first = cache.JoinOrStartRefresh(Dir("S"), out var owner);
        var second = cache.JoinOrStartRefresh(Dir("S"), out var notOwner);

        Assert.NotNull(owner);
        Assert.Null(notOwner);
        Assert.Same(first, second);
        cache.Complete(Dir("S"), owner, Listing("S", 1), Now);
        cache.JoinOrStartRefresh(Dir("S"), out var next);
        Assert.NotNull(next);
    }

    [Fact]
    public void Freshness_UntilDeadlineOrExpire_ThenStillServedAsFallback()
    {
        var cache = new ListingCache(100);
        Install(cache, "S", 2, Now.AddSeconds(15));

        Assert.NotNull(cache.TryGet(Dir("S"), Now, out var fresh));
        Assert.True(fresh);
        Assert.NotNull(cache.TryGet(Dir("S"), Now.AddSeconds(15), out fresh));
        Assert.False(fresh);

        cache.Expire(Dir("S"));
        Assert.NotNull(cache.TryGet(Dir("S"), Now, out fresh));
        Assert.False(fresh);
    }

    [Fact]
    public void EntryCap_LeastRecentlyUsedListingsDropped()
    {
        var cache = new ListingCache(10);
        Install(cache, "A", 4, Now);
        Install(cache, "B", 4, Now);
        cache.TryGet(Dir("A"), Now, out _);

        Install(cache, "C", 4, Now);

        Assert.NotNull(cache.Peek(Dir("A")));
        Assert.Null(cache.Peek(Dir("B")));
        Assert.NotNull(cache.Peek(Dir("C")));
        Assert.Equal(8, cache.EntryCount);
    }

    [Fact]
    public void FailedRefresh_KeepsOldListingUnlessTheDirectoryIsGone()
    {
        var cache = new ListingCache(100);
        Install(cache, "S", 3, Now);

        cache.JoinOrStartRefresh(Dir("S"), out var failed);
        cache.Complete(Dir("S"), failed!, null, Now);
        Assert.NotNull(cache.Peek(Dir("S")));

        cache.JoinOrStartRefresh(Dir("S"), out var gone);
        cache.Complete(Dir("S"), gone!, null, Now, gone: true);
        Assert.Null(cache.Peek(Dir("S")));
        Assert.Equal(0, cache.EntryCount);
    }

    [Fact]
    public void RemovePeer_DropsItsListingsOnly()
    {
        var cache = new ListingCache(100);
        Install(cache, "S", 3, Now);
        var other = new NodeKey(FakeRemoteShares.NewPeerId(2), SharePath.Parse("S"));
        cache.JoinOrStartRefresh(other, out var owner);
        cache.Complete(other, owner!, new DirectoryListing(other, [], [], []), Now);

        cache.RemovePeer(Peer);

        Assert.Null(cache.Peek(Dir("S")));
        Assert.NotNull(cache.Peek(other));
    }
}

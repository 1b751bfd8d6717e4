using System.Diagnostics;
using HddFs.Core;
using HddFs.Testing;

namespace HddFs.Vfs.Tests;

public sealed class FailureTests
{
    private const int Block = TestMount.BlockSize;
    private static readonly byte[] Content = FakeRemoteShares.Pattern(10 * Block, seed: 9);

    // A hang that the VFS fails to bound fails the test instead of hanging the run.
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(15);

    private static TestMount MountWithFile(VfsOptions? options = null, TimeProvider? time = null)
        => TestMount.WithPeer(
            s =>
            {
                s.AddFile("Films/film.mkv", Content);
                s.AddFile("Films/other.mkv", Content);
            },
            options ?? new VfsOptions { RequestTimeout = TimeSpan.FromMilliseconds(300), PrefetchMaxWindow = 0 },
            time);

    [Fact]
    public async Task PeerOffline_CachedBlocksServedUncachedFailAtOnceWithoutRpc()
    {
        await using var mount = MountWithFile();
        var file = await mount.WalkAsync("alice/Films/film.mkv");
        var open = await mount.Vfs.OpenFileAsync(file.Node, CancellationToken.None);
        await mount.ReadAsync(open.Handle, 0, Block);
        var requests = mount.Alice.ReadRequests;

        mount.Party.SetConnected(mount.Alice.Peer, false);

        Assert.Equal(Content.AsSpan(100, 1000).ToArray(), await mount.ReadAsync(open.Handle, 100, 1000));
        var watch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<VfsException>(() => mount.ReadAsync(open.Handle, 5 * Block, 100));
        Assert.Equal(VfsError.IoError, error.Error);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"took {watch.Elapsed}");
        Assert.Equal(requests, mount.Alice.ReadRequests);

        mount.Party.SetConnected(mount.Alice.Peer, true);
        Assert.Equal(Content.AsSpan(5 * Block, 100).ToArray(), await mount.ReadAsync(open.Handle, 5 * Block, 100));
    }

    [Fact]
    public async Task PeerOffline_StaleListingsServedUnlistedDirectoryIoError()
    {
        var time = new ManualTimeProvider();
        await using var mount = TestMount.WithPeer(
            s =>
            {
                s.AddFile("Films/film.mkv", [1, 2, 3]);
                s.AddFile("Docs/a.txt", [1]);
            },
            time: time);
        var films = await mount.WalkAsync("alice/Films");
        var docs = await mount.WalkAsync("alice/Docs");
        Assert.Equal(["film.mkv"], await mount.NamesAsync(films.Node));
        var lists = mount.Alice.ListRequests;

        mount.Party.SetConnected(mount.Alice.Peer, false);
        time.Advance(TimeSpan.FromMinutes(10));

        Assert.Equal(["film.mkv"], await mount.NamesAsync(films.Node));
        var stat = await mount.Vfs.GetAttributesAsync((await mount.WalkAsync("alice/Films/film.mkv")).Node, CancellationToken.None);
        Assert.Equal(3, stat.Size);
        Assert.Equal(VfsError.NotFound, (await Assert.ThrowsAsync<VfsException>(async () => await mount.Vfs.LookupAsync(films.Node, "nope", CancellationToken.None))).Error);
        Assert.Equal(VfsError.IoError, (await Assert.ThrowsAsync<VfsException>(async () => await mount.Vfs.OpenDirectoryAsync(docs.Node, CancellationToken.None))).Error);
        Assert.Equal(lists, mount.Alice.ListRequests);
    }

    [Fact]
    public async Task HangingPeer_ReadFailsWithIoErrorWithinTheDeadline()
    {
        await using var mount = MountWithFile();
        var file = await mount.WalkAsync("alice/Films/film.mkv");
        var open = await mount.Vfs.OpenFileAsync(file.Node, CancellationToken.None);
        mount.Alice.Hang = true;

        var watch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<VfsException>(() => mount.ReadAsync(open.Handle, 0, 100).WaitAsync(Guard));

        Assert.Equal(VfsError.IoError, error.Error);
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(250), $"took {watch.Elapsed}");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
        await PrefetchTests.WaitUntilAsync(() => mount.Alice.Cancellations == 1);
    }

    [Fact]
    public async Task StalledBody_ReadFailsWithIoErrorWithinTheDeadline()
    {
        await using var mount = MountWithFile();
        var file = await mount.WalkAsync("alice/Films/film.mkv");
        var open = await mount.Vfs.OpenFileAsync(file.Node, CancellationToken.None);
        mount.Alice.HangBodies = true;

        var watch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<VfsException>(() => mount.ReadAsync(open.Handle, 0, 100).WaitAsync(Guard));

        Assert.Equal(VfsError.IoError, error.Error);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task HangingPeer_ManualClock_FailsExactlyWhenTheDeadlinePasses()
    {
        var time = new ManualTimeProvider();
        await using var mount = MountWithFile(new VfsOptions { PrefetchMaxWindow = 0 }, time);
        var file = await mount.WalkAsync("alice/Films/film.mkv");
        var open = await mount.Vfs.OpenFileAsync(file.Node, CancellationToken.None);
        mount.Alice.Hang = true;

        var read = mount.ReadAsync(open.Handle, 0, 100);
        await PrefetchTests.WaitUntilAsync(() => mount.Alice.ReadRequests == 1);
        time.Advance(TimeSpan.FromSeconds(4.9));
        await Task.Delay(50);
        Assert.False(read.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(0.2));

        var error = await Assert.ThrowsAsync<VfsException>(() => read.WaitAsync(Guard));
        Assert.Equal(VfsError.IoError, error.Error);
    }

    [Fact]
    public async Task AfterTimeout_UncachedRequestsFailFastUntilThePeriodEnds()
    {
        var time = new ManualTimeProvider();
        await using var mount = MountWithFile(new VfsOptions { PrefetchMaxWindow = 0, RequestTimeout = TimeSpan.FromSeconds(1), FailFastPeriod = TimeSpan.FromSeconds(10) }, time);
        var file = await mount.WalkAsync("alice/Films/film.mkv");
        var other = await mount.WalkAsync("alice/Films/other.mkv");
        var open = await mount.Vfs.OpenFileAsync(file.Node, CancellationToken.None);
        var openOther = await mount.Vfs.OpenFileAsync(other.Node, CancellationToken.None);
        mount.Alice.Hang = true;
        var read = mount.ReadAsync(open.Handle, 0, 100);
        await PrefetchTests.WaitUntilAsync(() => mount.Alice.ReadRequests == 1);
        time.Advance(TimeSpan.FromSeconds(1));
        await Assert.ThrowsAsync<VfsException>(() => read.WaitAsync(Guard));

        var fast = await Assert.ThrowsAsync<VfsException>(() => mount.ReadAsync(openOther.Handle, 0, 100));
        Assert.Equal(VfsError.IoError, fast.Error);
        Assert.Equal(1, mount.Alice.ReadRequests);
        Assert.Equal("offline", System.Text.Encoding.UTF8.GetString(mount.Vfs.GetExtendedAttribute(other.Node, VirtualFileSystem.StateAttribute)));

        time.Advance(TimeSpan.FromSeconds(11));
        mount.Alice.Hang = false;
        Assert.Equal(Content.AsSpan(0, 100).ToArray(), await mount.ReadAsync(openOther.Handle, 0, 100));
    }

    [Fact]
    public async Task HangingPeer_ListingFailsWithinTheDeadlineAndStaleListingIsServed()
    {
        var time = new ManualTimeProvider();
        await using var mount = TestMount.WithPeer(
            s =>
            {
                s.AddFile("Films/film.mkv", [1]);
                s.AddFile("Docs/a.txt", [1]);
            },
            new VfsOptions { RequestTimeout = TimeSpan.FromSeconds(2), FailFastPeriod = TimeSpan.Zero },
            time);
        var films = await mount.WalkAsync("alice/Films");
        var docs = await mount.WalkAsync("alice/Docs");
        Assert.Equal(["film.mkv"], await mount.NamesAsync(films.Node));
        mount.Alice.Hang = true;
        time.Advance(TimeSpan.FromMinutes(1));

        var stale = mount.NamesAsync(films.Node);
        await PrefetchTests.WaitUntilAsync(() => mount.Alice.Cancellations == 0 && time.ActiveTimers > 0);
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(["film.mkv"], await stale.WaitAsync(Guard));

        var uncached = mount.Vfs.OpenDirectoryAsync(docs.Node, CancellationToken.None).AsTask();
        await PrefetchTests.WaitUntilAsync(() => time.ActiveTimers > 0);
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(VfsError.IoError, (await Assert.ThrowsAsync<VfsException>(() => uncached.WaitAsync(Guard))).Error);
    }

    [Fact]
    public async Task HangingPeer_RealClock_LookupFailsWithinTheDeadline()
    {
        await using var mount = MountWithFile();
        mount.Alice.Hang = true;

        var watch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<VfsException>(() => mount.WalkAsync("alice/Films").WaitAsync(Guard));

        Assert.Equal(VfsError.IoError, error.Error);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
        Assert.Equal(1, mount.Alice.ListRequests);
    }

    [Fact]
    public async Task CallerCancels_Interrupted()
    {
        await using var mount = TestMount.WithPeer(s => s.AddFile("Films/film.mkv", Content), new VfsOptions { RequestTimeout = TimeSpan.FromSeconds(30) });
        var file = await mount.WalkAsync("alice/Films/film.mkv");
        var open = await mount.Vfs.OpenFileAsync(file.Node, CancellationToken.None);
        mount.Alice.Hang = true;
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        var error = await Assert.ThrowsAsync<VfsException>(() => mount.ReadAsync(open.Handle, 0, 100, cancel.Token).WaitAsync(Guard));

        Assert.Equal(VfsError.Interrupted, error.Error);
    }

    [Fact]
    public async Task PeerAnswersError_ReadFailsWithIoError()
    {
        await using var mount = MountWithFile();
        var file = await mount.WalkAsync("alice/Films/film.mkv");
        var open = await mount.Vfs.OpenFileAsync(file.Node, CancellationToken.None);
        mount.Alice.FailWith = RemoteError.Internal;

        var error = await Assert.ThrowsAsync<VfsException>(() => mount.ReadAsync(open.Handle, 0, 100).WaitAsync(Guard));

        Assert.Equal(VfsError.IoError, error.Error);
        mount.Alice.FailWith = null;
        Assert.Equal(Content.AsSpan(0, 100).ToArray(), await mount.ReadAsync(open.Handle, 0, 100));
    }

    [Fact]
    public async Task PeerLeavesWhileFileOpen_CachedServedUncachedIoError()
    {
        await using var mount = MountWithFile();
        var file = await mount.WalkAsync("alice/Films/film.mkv");
        var open = await mount.Vfs.OpenFileAsync(file.Node, CancellationToken.None);
        await mount.ReadAsync(open.Handle, 0, 10);

        mount.Party.Remove(mount.Alice.Peer);

        Assert.Equal(Content.AsSpan(0, 10).ToArray(), await mount.ReadAsync(open.Handle, 0, 10));
        Assert.Equal(VfsError.IoError, (await Assert.ThrowsAsync<VfsException>(() => mount.ReadAsync(open.Handle, 3 * Block, 10))).Error);
        Assert.Equal(VfsError.NotFound, (await Assert.ThrowsAsync<VfsException>(async () => await mount.Vfs.GetAttributesAsync(file.Node, CancellationToken.None))).Error);
    }

    [Fact]
    public async Task Dispose_WithHangingRequests_CompletesPromptly()
    {
        var mount = MountWithFile(new VfsOptions { RequestTimeout = TimeSpan.FromMinutes(5) });
        var file = await mount.WalkAsync("alice/Films/film.mkv");
        var open = await mount.Vfs.OpenFileAsync(file.Node, CancellationToken.None);
        mount.Alice.Hang = true;
        var read = mount.ReadAsync(open.Handle, 0, 100);
        await PrefetchTests.WaitUntilAsync(() => mount.Alice.ReadRequests > 0);

        var watch = Stopwatch.StartNew();
        await mount.DisposeAsync();

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"took {watch.Elapsed}");
        await Assert.ThrowsAnyAsync<Exception>(() => read);
        Assert.Throws<ObjectDisposedException>(() => mount.Vfs.GetFileSystemStatistics());
    }
}

using HddFs.Core;

namespace HddFs.Shares.Tests;

/// <summary>The watcher alone (no periodic rescans, no RescanAsync) brings changes in.</summary>
public sealed class WatcherTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);
    private readonly List<string> _changes = [];
    private IndexFixture _f = null!;

    public async Task InitializeAsync()
    {
        _f = await IndexFixture.CreateAsync(IndexFixture.QuietOptions with
        {
            WatchForChanges = true,
            DebounceDelay = TimeSpan.FromMilliseconds(50),
            MaxDebounceDelay = TimeSpan.FromMilliseconds(500),
        });
        _f.Write("S/dir/old.txt", "old");
        _f.Write("S/keep.txt", "keep");
        await _f.Index.AddShareAsync(_f.DataPath("S"));
        _f.Index.Changed += (_, e) =>
        {
            lock (_changes)
            {
                _changes.AddRange(e.Paths.Select(p => p.Value));
            }
        };
    }

    public async Task DisposeAsync() => await _f.DisposeAsync();

    private async Task EventuallyAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The watcher did not bring the change in time.");
            await Task.Delay(20);
        }
    }

    private RemoteEntry? Entry(string path) => _f.Index.GetEntry(SharePath.Parse(path));

    private bool Reported(string path)
    {
        lock (_changes)
        {
            return _changes.Contains(path);
        }
    }

    [Fact]
    public async Task Create_IsPickedUp()
    {
        _f.Write("S/dir/new.txt", "new!");

        await EventuallyAsync(() => Entry("S/dir/new.txt") is { Size: 4 });
        await EventuallyAsync(() => Reported("S/dir/new.txt"));
        Assert.Equal(11, Entry("S")!.Size);
    }

    [Fact]
    public async Task TreeMovedIn_IsPickedUpWhole()
    {
        // Built outside, then renamed in (a finished download): one event, a whole new subtree.
        _f.Write("staging/x/y/z/deep.txt", "deep");
        _f.Write("staging/x/top.txt", "top");
        Directory.Move(_f.DataPath("staging/x"), _f.DataPath("S/x"));

        await EventuallyAsync(() => Entry("S/x/y/z/deep.txt") is not null);
        Assert.Equal(7, Entry("S/x")!.Size);
        await EventuallyAsync(() => Reported("S/x"));
    }

    [Fact]
    public async Task ModifyInPlace_IsPickedUp()
    {
        await File.AppendAllTextAsync(_f.DataPath("S/keep.txt"), "ing on");

        await EventuallyAsync(() => Entry("S/keep.txt") is { Size: 10 });
        await EventuallyAsync(() => Entry("S") is { Size: 13 });
        Assert.True(Reported("S/keep.txt"));
    }

    [Fact]
    public async Task Delete_IsPickedUp()
    {
        File.Delete(_f.DataPath("S/dir/old.txt"));

        await EventuallyAsync(() => Entry("S/dir/old.txt") is null);
        await EventuallyAsync(() => Entry("S") is { Size: 4 });
    }

    [Fact]
    public async Task Rename_IsPickedUp()
    {
        File.Move(_f.DataPath("S/dir/old.txt"), _f.DataPath("S/renamed.txt"));

        await EventuallyAsync(() => Entry("S/renamed.txt") is { Size: 3 } && Entry("S/dir/old.txt") is null);
        Assert.Equal(7, Entry("S")!.Size);
    }

    [Fact]
    public async Task RenameDirectory_IsPickedUp()
    {
        Directory.Move(_f.DataPath("S/dir"), _f.DataPath("S/moved"));

        await EventuallyAsync(() => Entry("S/moved/old.txt") is not null && Entry("S/dir") is null);
    }
}

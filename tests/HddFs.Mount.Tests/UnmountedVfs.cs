using HddFs.Testing;
using HddFs.Vfs;
using Microsoft.Extensions.Logging.Abstractions;

namespace HddFs.Mount.Tests;

/// <summary>A VFS over one fake peer, not mounted (for tests that must not need FUSE).</summary>
internal sealed class UnmountedVfs : IAsyncDisposable
{
    private UnmountedVfs(VirtualFileSystem vfs, FakeRemoteShares shares)
    {
        Vfs = vfs;
        Shares = shares;
    }

    public VirtualFileSystem Vfs { get; }

    public FakeRemoteShares Shares { get; }

    public static Task<UnmountedVfs> CreateAsync()
    {
        var shares = new FakeRemoteShares(FakeRemoteShares.NewPeerId(9));
        TestTree.Alice.AddTo(shares);
        return CreateAsync(shares, MountedParty.FastOptions());
    }

    /// <summary>A VFS whose only peer, "alice", is <paramref name="shares"/>.</summary>
    public static Task<UnmountedVfs> CreateAsync(FakeRemoteShares shares, VfsOptions options)
    {
        var party = new FakeParty();
        party.Add(shares, "alice");
        return Task.FromResult(new UnmountedVfs(new VirtualFileSystem(party, new InMemoryBlockStore(), options, NullLoggerFactory.Instance, TimeProvider.System), shares));
    }

    public ValueTask DisposeAsync() => Vfs.DisposeAsync();
}

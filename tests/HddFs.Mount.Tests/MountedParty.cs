using HddFs.Cache;
using HddFs.Core;
using HddFs.Fuse;
using HddFs.Testing;
using HddFs.Vfs;
using Microsoft.Extensions.Logging.Abstractions;

namespace HddFs.Mount.Tests;

/// <summary>
/// A real mount of a three-peer party for one test: "me" (ourselves), "alice" and "bob", each a
/// <see cref="FakeRemoteShares"/> filled from <see cref="TestTree"/>, over a VFS with short timeouts and
/// an in-memory or on-disk block cache. Disposing unmounts, and if anything is left (a failed test) it
/// detaches the mount with umount -l, so no test leaves a mount behind.
/// </summary>
internal sealed class MountedParty : IAsyncDisposable
{
    public const int InMemoryBlockSize = 64 * 1024;
    public const int DiskBlockSize = 256 * 1024;

    private readonly TempDirectory _directory;

    private MountedParty(TempDirectory directory, FakeParty party, FakeRemoteShares me, FakeRemoteShares alice, FakeRemoteShares bob, IBlockStore cache, VirtualFileSystem vfs, TestLoggerFactory logs)
    {
        _directory = directory;
        Party = party;
        Me = me;
        Alice = alice;
        Bob = bob;
        Cache = cache;
        Vfs = vfs;
        Logs = logs;
    }

    public FakeParty Party { get; }

    public FakeRemoteShares Me { get; }

    public FakeRemoteShares Alice { get; }

    public FakeRemoteShares Bob { get; }

    public IBlockStore Cache { get; }

    public VirtualFileSystem Vfs { get; }

    public TestLoggerFactory Logs { get; }

    public PartyMount Mount { get; private set; } = null!;

    public string Root => Mount.MountPoint;

    /// <summary>Where the on-disk cache keeps its files (Disk only).</summary>
    public string CacheDirectory => _directory.Combine("cache");

    /// <summary>A scratch directory outside the mount, deleted with the party.</summary>
    public string Scratch => _directory.Combine("scratch");

    /// <summary>Options with timeouts short enough for tests (1 s request timeout and TTLs).</summary>
    public static VfsOptions FastOptions() => new()
    {
        RequestTimeout = TimeSpan.FromSeconds(1),
        ListingTtl = TimeSpan.FromSeconds(1),
        AttributeTimeout = TimeSpan.FromSeconds(1),
        EntryTimeout = TimeSpan.FromSeconds(1),
        NegativeEntryTimeout = TimeSpan.FromSeconds(1),
        Uid = CurrentUid(),
        Gid = CurrentUid(),
    };

    public static async Task<MountedParty> StartAsync(
        CacheKind cacheKind = CacheKind.InMemory,
        VfsOptions? vfsOptions = null,
        PartyMountOptions? mountOptions = null,
        long cacheCapacity = 1L << 30,
        int? blockSize = null,
        bool fill = true)
    {
        var directory = new TempDirectory("hddfs-mount");
        var logs = new TestLoggerFactory();
        var party = new FakeParty();
        var me = new FakeRemoteShares(FakeRemoteShares.NewPeerId(1));
        var alice = new FakeRemoteShares(FakeRemoteShares.NewPeerId(2));
        var bob = new FakeRemoteShares(FakeRemoteShares.NewPeerId(3));
        if (fill)
        {
            TestTree.Me.AddTo(me);
            TestTree.Alice.AddTo(alice);
            TestTree.Bob.AddTo(bob);
        }

        party.Add(me, "me", isSelf: true);
        party.Add(alice, "alice");
        party.Add(bob, "bob");
        Directory.CreateDirectory(directory.Combine("scratch"));
        IBlockStore cache = cacheKind == CacheKind.Disk
            ? new DiskBlockCache(directory.Combine("cache"), cacheCapacity, NullLogger.Instance, TimeProvider.System, blockSize ?? DiskBlockSize)
            : new InMemoryBlockStore(blockSize ?? InMemoryBlockSize, cacheCapacity);
        var vfs = new VirtualFileSystem(party, cache, vfsOptions ?? FastOptions(), logs, TimeProvider.System);
        var mounted = new MountedParty(directory, party, me, alice, bob, cache, vfs, logs);
        try
        {
            mounted.Mount = await PartyMount.MountAsync(directory.Combine("mnt"), vfs, mountOptions ?? new PartyMountOptions(), logs, CancellationToken.None);
        }
        catch
        {
            await mounted.DisposeAsync();
            throw;
        }

        return mounted;
    }

    public string this[string relative] => Path.Combine(Root, relative);

    public static uint CurrentUid() => uint.Parse(File.ReadLines("/proc/self/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t', StringSplitOptions.RemoveEmptyEntries)[2], System.Globalization.CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        var mountPoint = _directory.Combine("mnt");
        try
        {
            if (Mount is not null)
            {
                await Mount.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            }
        }
        finally
        {
            if (MountTable.Find(mountPoint) is not null)
            {
                await Shell.RunAsync("umount", "-l", mountPoint);
            }

            await Vfs.DisposeAsync();
            (Cache as IDisposable)?.Dispose();
            _directory.Dispose();
        }
    }
}

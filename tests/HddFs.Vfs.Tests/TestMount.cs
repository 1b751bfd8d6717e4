using System.Collections.Concurrent;
using HddFs.Core;
using HddFs.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace HddFs.Vfs.Tests;

/// <summary>A VFS over a <see cref="FakeParty"/> and an <see cref="InMemoryBlockStore"/>, with helpers
/// that drive it the way the mount adapter does.</summary>
internal sealed class TestMount : IAsyncDisposable
{
    public const int BlockSize = 64 * 1024;

    private TestMount(VfsOptions options, TimeProvider time, InMemoryBlockStore cache, Func<FakeParty, IReadOnlyList<FakeRemoteShares>>? setup, IBlockStore? store)
    {
        Time = time;
        Cache = cache;
        Party = new FakeParty();
        Peers = setup?.Invoke(Party) ?? [];
        Vfs = new VirtualFileSystem(Party, store ?? Cache, options, NullLoggerFactory.Instance, time);
        Vfs.Invalidated += (_, e) => Invalidations.Enqueue(e);
    }

    public TimeProvider Time { get; }

    public FakeParty Party { get; }

    public InMemoryBlockStore Cache { get; }

    public VirtualFileSystem Vfs { get; }

    public IReadOnlyList<FakeRemoteShares> Peers { get; }

    public ConcurrentQueue<VfsInvalidation> Invalidations { get; } = new();

    /// <summary>Options with timeouts short enough for tests.</summary>
    public static VfsOptions FastOptions(Func<VfsOptions, VfsOptions>? tweak = null)
    {
        var options = new VfsOptions
        {
            RequestTimeout = TimeSpan.FromMilliseconds(500),
            Uid = 1000,
            Gid = 1000,
        };
        return tweak?.Invoke(options) ?? options;
    }

    /// <summary>A mount with one peer ("alice", key seed 1) whose shares <paramref name="fill"/> builds.</summary>
    public static TestMount WithPeer(Action<FakeRemoteShares> fill, VfsOptions? options = null, TimeProvider? time = null, InMemoryBlockStore? cache = null)
        => Create(
            party =>
            {
                var shares = new FakeRemoteShares(FakeRemoteShares.NewPeerId(1), time);
                fill(shares);
                party.Add(shares, "alice");
                return [shares];
            },
            options,
            time,
            cache);

    /// <param name="store">The block store the VFS uses when it is not <paramref name="cache"/> itself (a
    /// decorator around it).</param>
    public static TestMount Create(Func<FakeParty, IReadOnlyList<FakeRemoteShares>>? setup = null, VfsOptions? options = null, TimeProvider? time = null, InMemoryBlockStore? cache = null, IBlockStore? store = null)
        => new(options ?? FastOptions(), time ?? TimeProvider.System, cache ?? new InMemoryBlockStore(BlockSize), setup, store);

    public FakeRemoteShares Alice => Peers[0];

    /// <summary>Looks up each component of "peer/Share/dir/file" from the root (one lookup each).</summary>
    public async Task<VfsEntry> WalkAsync(string path, CancellationToken cancellationToken = default)
    {
        var node = VirtualFileSystem.RootNode;
        VfsEntry entry = default;
        foreach (var name in path.Split('/'))
        {
            entry = await Vfs.LookupAsync(node, name, cancellationToken);
            node = entry.Node;
        }

        return entry;
    }

    public async Task<List<VfsDirectoryEntry>> ListAsync(ulong node, bool plus = false, int chunk = 100)
    {
        var handle = await Vfs.OpenDirectoryAsync(node, CancellationToken.None);
        try
        {
            var all = new List<VfsDirectoryEntry>();
            long offset = 0;
            while (true)
            {
                var page = plus
                    ? await Vfs.ReadDirectoryPlusAsync(handle, offset, chunk, CancellationToken.None)
                    : await Vfs.ReadDirectoryAsync(handle, offset, chunk, CancellationToken.None);
                if (page.Count == 0)
                {
                    return all;
                }

                all.AddRange(page);
                offset = page[^1].NextOffset;
            }
        }
        finally
        {
            Vfs.ReleaseDirectory(handle);
        }
    }

    /// <summary>Names of a directory without "." and "..".</summary>
    public async Task<List<string>> NamesAsync(ulong node)
        => (await ListAsync(node)).Select(e => e.Name).Where(n => n is not "." and not "..").ToList();

    /// <summary>Reads a whole file through one handle in reads of <paramref name="readSize"/> bytes.</summary>
    public async Task<byte[]> ReadAllAsync(ulong node, int readSize = 128 * 1024)
    {
        var open = await Vfs.OpenFileAsync(node, CancellationToken.None);
        try
        {
            using var result = new MemoryStream();
            var buffer = new byte[readSize];
            long offset = 0;
            while (true)
            {
                var n = await Vfs.ReadAsync(open.Handle, offset, buffer, CancellationToken.None);
                if (n == 0)
                {
                    return result.ToArray();
                }

                result.Write(buffer, 0, n);
                offset += n;
            }
        }
        finally
        {
            Vfs.ReleaseFile(open.Handle);
        }
    }

    public async Task<byte[]> ReadAsync(ulong handle, long offset, int length, CancellationToken cancellationToken = default)
    {
        var buffer = new byte[length];
        var n = await Vfs.ReadAsync(handle, offset, buffer, cancellationToken);
        return buffer[..n];
    }

    public FileKey KeyOf(FakeRemoteShares peer, string path)
    {
        var entry = peer.EntryOf(path);
        return new FileKey(peer.Peer, SharePath.Parse(path), entry.Size, entry.ModifiedUnixMs);
    }

    public async ValueTask DisposeAsync() => await Vfs.DisposeAsync();
}

using System.Collections.Concurrent;
using System.Text;

namespace HddFs.Fuse.Tests;

/// <summary>
/// The filesystem the mount tests exercise, with hooks to observe and misbehave:
/// <code>
/// /hello.txt     "Hello, world!\n", xattrs user.greeting, user.empty
/// /big.bin       64 MiB of <see cref="Content"/>, KeepCache
/// /slow.bin      DirectIo; every READ waits <see cref="SlowReadDelay"/> (honouring cancellation)
/// /blocked.bin   DirectIo; every READ waits forever (honouring cancellation unless <see cref="IgnoreCancellation"/>)
/// /throws.bin    READ throws InvalidOperationException
/// /cached.txt    KeepCache; content <see cref="CachedContent"/>, changed by the test
/// /swap          resolves to node 8 (1 byte) or node 9 (2 bytes) depending on <see cref="SwapToSecond"/>
/// /dir/f0000..   <see cref="DirectoryEntries"/> empty files
/// /link          -> hello.txt
/// /nocache-*     missing, negative entries with timeout 0; any other missing name: timeout 60 s
/// </code>
/// Thread-safe: counters are concurrent, mutable content is swapped atomically.
/// </summary>
internal sealed class TestFileSystem : FuseFileSystem
{
    public const long BigSize = 64L << 20;
    public const ulong Hello = 2, Big = 3, Slow = 4, Blocked = 5, Throws = 6, Cached = 7, SwapFirst = 8, SwapSecond = 9, Dir = 10, Link = 11, FirstDirEntry = 1000;

    private static readonly TimeSpan Long = TimeSpan.FromSeconds(60);
    private static readonly byte[] HelloContent = "Hello, world!\n"u8.ToArray();

    private static readonly (string Name, ulong Node)[] RootEntries =
    [
        ("hello.txt", Hello), ("big.bin", Big), ("slow.bin", Slow), ("blocked.bin", Blocked), ("throws.bin", Throws),
        ("cached.txt", Cached), ("dir", Dir), ("link", Link),
    ];

    private int _readsInFlight;
    private int _peakReadsInFlight;
    private int _maxReadSize;

    public TimeSpan SlowReadDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    public int DirectoryEntries { get; init; } = 100;

    public bool IgnoreCancellation { get; init; }

    public volatile byte[] CachedContent = "version-1\n"u8.ToArray();

    public volatile bool SwapToSecond;

    public ConcurrentDictionary<string, int> Lookups { get; } = new();

    public ConcurrentDictionary<FuseOpcode, int> Calls { get; } = new();

    public TaskCompletionSource BlockedReadStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource BlockedReadCancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int PeakReadsInFlight => Volatile.Read(ref _peakReadsInFlight);

    public int MaxReadSize => Volatile.Read(ref _maxReadSize);

    public int DestroyCount;

    /// <summary>Byte <paramref name="offset"/> of /big.bin.</summary>
    public static byte Content(long offset) => (byte)((ulong)offset * 2654435761UL >> 24);

    public int LookupCount(string name) => Lookups.GetValueOrDefault(name);

    public override void Destroy() => Interlocked.Increment(ref DestroyCount);

    public override ValueTask<FuseEntry> LookupAsync(FuseRequest request, NodeId parent, string name)
    {
        Count(request);
        Lookups.AddOrUpdate(name, 1, (_, n) => n + 1);
        var node = parent.Value switch
        {
            1 when name == "swap" => SwapToSecond ? SwapSecond : SwapFirst,
            1 => RootEntries.FirstOrDefault(e => e.Name == name).Node,
            Dir when name.Length == 5 && name[0] == 'f' && int.TryParse(name.AsSpan(1), out var i) && i < DirectoryEntries => FirstDirEntry + (ulong)i,
            _ => 0UL,
        };
        if (node == 0)
        {
            return ValueTask.FromResult(FuseEntry.Negative(name.StartsWith("nocache-", StringComparison.Ordinal) ? TimeSpan.Zero : Long));
        }

        return ValueTask.FromResult(new FuseEntry(new NodeId(node), Attributes(node), Long, Long));
    }

    public override ValueTask<FuseAttributesResult> GetAttrAsync(FuseRequest request, NodeId node, FileHandle? handle)
    {
        Count(request);
        return ValueTask.FromResult(new FuseAttributesResult(Attributes(node.Value), Long));
    }

    public override ValueTask<string> ReadLinkAsync(FuseRequest request, NodeId node)
    {
        Count(request);
        return node.Value == Link ? ValueTask.FromResult("hello.txt") : throw new FuseException(Errno.EINVAL);
    }

    public override ValueTask<FuseOpenResult> OpenAsync(FuseRequest request, NodeId node, int flags)
    {
        Count(request);
        var mode = node.Value is Slow or Blocked ? FuseOpenFlags.DirectIo : FuseOpenFlags.KeepCache;
        return ValueTask.FromResult(new FuseOpenResult(new FileHandle(node.Value * 100), mode));
    }

    public override async ValueTask<int> ReadAsync(FuseRequest request, NodeId node, FileHandle handle, long offset, Memory<byte> destination)
    {
        Count(request);
        Assert.Equal(node.Value * 100, handle.Value);
        var inFlight = Interlocked.Increment(ref _readsInFlight);
        UpdateMax(ref _peakReadsInFlight, inFlight);
        UpdateMax(ref _maxReadSize, destination.Length);
        try
        {
            switch (node.Value)
            {
                case Hello:
                    return CopyFrom(HelloContent, offset, destination.Span);
                case Cached:
                    return CopyFrom(CachedContent, offset, destination.Span);
                case Big:
                    var count = (int)Math.Clamp(BigSize - offset, 0, destination.Length);
                    var span = destination.Span;
                    for (var i = 0; i < count; i++)
                    {
                        span[i] = Content(offset + i);
                    }

                    return count;
                case Slow:
                    await Task.Delay(SlowReadDelay, request.CancellationToken);
                    destination.Span.Fill((byte)'s');
                    return destination.Length;
                case Blocked:
                    BlockedReadStarted.TrySetResult();
                    using (request.CancellationToken.Register(() => BlockedReadCancelled.TrySetResult()))
                    {
                        await Task.Delay(Timeout.Infinite, IgnoreCancellation ? CancellationToken.None : request.CancellationToken);
                    }

                    return 0;
                case Throws:
                    throw new InvalidOperationException("this read always fails");
                default:
                    throw new FuseException(Errno.EISDIR);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _readsInFlight);
        }
    }

    public override ValueTask<FuseOpenResult> OpenDirAsync(FuseRequest request, NodeId node, int flags)
    {
        Count(request);
        return ValueTask.FromResult(new FuseOpenResult(new FileHandle(node.Value), FuseOpenFlags.CacheDir));
    }

    public override ValueTask ReadDirAsync(FuseRequest request, NodeId node, FileHandle handle, long offset, FuseDirectoryBuffer buffer)
    {
        Count(request);
        var children = node.Value == 1
            ? RootEntries.Select(e => e.Node).ToList()
            : Enumerable.Range(0, DirectoryEntries).Select(i => FirstDirEntry + (ulong)i).ToList();
        for (var index = (int)offset; index < children.Count + 2; index++)
        {
            var added = index < 2
                ? buffer.TryAdd(index == 0 ? "." : "..", index + 1, node.Value, FuseFileType.Directory)
                : buffer.TryAdd(Name(children[index - 2]), index + 1, new FuseEntry(new NodeId(children[index - 2]), Attributes(children[index - 2]), Long, Long));
            if (!added)
            {
                break;
            }
        }

        return ValueTask.CompletedTask;
    }

    public override ValueTask<FuseStatFs> StatFsAsync(FuseRequest request, NodeId node)
    {
        Count(request);
        return ValueTask.FromResult(new FuseStatFs { Blocks = 1000, BlocksFree = 0, BlockSize = 4096, Files = 42, MaxNameLength = 255 });
    }

    public override ValueTask<byte[]?> GetXAttrAsync(FuseRequest request, NodeId node, string name)
    {
        Count(request);
        return (node.Value, name) switch
        {
            (Hello, "user.greeting") => ValueTask.FromResult<byte[]?>("hello there"u8.ToArray()),
            (Hello, "user.empty") => ValueTask.FromResult<byte[]?>([]),
            (Hello, "user.thrown") => throw new FuseException(Errno.ENODATA),
            _ => ValueTask.FromResult<byte[]?>(null),
        };
    }

    public override ValueTask<IReadOnlyList<string>> ListXAttrAsync(FuseRequest request, NodeId node)
    {
        Count(request);
        return ValueTask.FromResult<IReadOnlyList<string>>(node.Value == Hello ? ["user.greeting", "user.empty"] : []);
    }

    private FuseAttributes Attributes(ulong node)
    {
        var (type, size) = node switch
        {
            1 or Dir => (FuseFileType.Directory, 4096L),
            Link => (FuseFileType.SymbolicLink, 9L),
            Hello => (FuseFileType.RegularFile, HelloContent.Length),
            Big => (FuseFileType.RegularFile, BigSize),
            Slow or Blocked or Throws => (FuseFileType.RegularFile, 1L << 20),
            Cached => (FuseFileType.RegularFile, CachedContent.Length),
            SwapFirst => (FuseFileType.RegularFile, 1L),
            SwapSecond => (FuseFileType.RegularFile, 2L),
            >= FirstDirEntry => (FuseFileType.RegularFile, 0L),
            _ => throw new FuseException(Errno.ENOENT),
        };
        return new FuseAttributes
        {
            Ino = node,
            Type = type,
            Permissions = type switch
            {
                FuseFileType.Directory => (UnixFileMode)0b111_101_101,
                FuseFileType.SymbolicLink => (UnixFileMode)0b111_111_111,
                _ => (UnixFileMode)0b110_100_100,
            },
            Size = (ulong)size,
            LinkCount = 1,
            ModificationTime = new DateTimeOffset(2024, 5, 6, 7, 8, 9, TimeSpan.Zero),
        };
    }

    private static string Name(ulong node)
        => node >= FirstDirEntry ? $"f{node - FirstDirEntry:D4}" : RootEntries.First(e => e.Node == node).Name;

    private void Count(FuseRequest request) => Calls.AddOrUpdate(request.Opcode, 1, (_, n) => n + 1);

    private static int CopyFrom(byte[] content, long offset, Span<byte> destination)
    {
        if (offset >= content.Length)
        {
            return 0;
        }

        var count = Math.Min(content.Length - (int)offset, destination.Length);
        content.AsSpan((int)offset, count).CopyTo(destination);
        return count;
    }

    private static void UpdateMax(ref int field, int value)
    {
        var current = Volatile.Read(ref field);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref field, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}

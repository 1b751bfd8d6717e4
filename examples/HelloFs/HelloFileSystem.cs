using System.Text;
using HddFs.Fuse;

namespace HelloFs;

/// <summary>
/// A tiny read-only filesystem on the raw binding:
/// <code>
/// /hello.txt            "Hello, world!\n" (xattrs user.greeting, user.lang)
/// /link -> hello.txt
/// /data/big.bin         deterministic bytes (<see cref="Pattern"/>), default 1 GiB
/// /many/file-NNNNN.txt  N small files (for `ls -l` timing)
/// </code>
/// The tree is immutable, so every method is thread-safe and completes synchronously; NodeIds are fixed
/// (never reused), so FORGET needs no bookkeeping.
/// </summary>
internal sealed class HelloFileSystem : FuseFileSystem
{
    private const ulong HelloNode = 2;
    private const ulong DataNode = 3;
    private const ulong LinkNode = 4;
    private const ulong ManyNode = 5;
    private const ulong BigNode = 6;
    private const ulong FirstManyNode = 1000;

    private static readonly TimeSpan CacheTimeout = TimeSpan.FromSeconds(60);
    private static readonly byte[] HelloContent = "Hello, world!\n"u8.ToArray();
    private static readonly DateTimeOffset MountTime = DateTimeOffset.UtcNow;

    private readonly long _bigSize;
    private readonly int _manyCount;
    private readonly bool _xattrs;

    /// <param name="xattrs">False answers GETXATTR/LISTXATTR with ENOSYS, after which the kernel stops asking
    /// (`ls -l` otherwise sends one GETXATTR per entry, for security.selinux).</param>
    public HelloFileSystem(long bigSize, int manyCount, bool xattrs = true)
    {
        _bigSize = bigSize;
        _manyCount = manyCount;
        _xattrs = xattrs;
    }

    public override ValueTask<FuseEntry> LookupAsync(FuseRequest request, NodeId parent, string name)
    {
        var child = (parent.Value, name) switch
        {
            (1, "hello.txt") => HelloNode,
            (1, "data") => DataNode,
            (1, "link") => LinkNode,
            (1, "many") when _manyCount > 0 => ManyNode,
            (DataNode, "big.bin") => BigNode,
            (ManyNode, _) when TryParseManyName(name, out var index) => FirstManyNode + (ulong)index,
            _ => 0UL,
        };
        return ValueTask.FromResult(child == 0 ? FuseEntry.Negative(CacheTimeout) : Entry(child));
    }

    public override ValueTask<FuseAttributesResult> GetAttrAsync(FuseRequest request, NodeId node, FileHandle? handle)
        => IsNode(node.Value)
            ? ValueTask.FromResult(new FuseAttributesResult(Attributes(node.Value), CacheTimeout))
            : throw new FuseException(Errno.ENOENT);

    public override ValueTask<string> ReadLinkAsync(FuseRequest request, NodeId node)
        => node.Value == LinkNode ? ValueTask.FromResult("hello.txt") : throw new FuseException(Errno.EINVAL);

    public override ValueTask<FuseOpenResult> OpenAsync(FuseRequest request, NodeId node, int flags)
        => ValueTask.FromResult(new FuseOpenResult(new FileHandle(node.Value), FuseOpenFlags.KeepCache));

    public override ValueTask<int> ReadAsync(FuseRequest request, NodeId node, FileHandle handle, long offset, Memory<byte> destination)
    {
        if (node.Value == BigNode)
        {
            var count = (int)Math.Clamp(_bigSize - offset, 0, destination.Length);
            Pattern.Fill(offset, destination.Span[..count]);
            return ValueTask.FromResult(count);
        }

        var content = node.Value switch
        {
            HelloNode => HelloContent,
            >= FirstManyNode when node.Value < FirstManyNode + (ulong)_manyCount => ManyContent(node.Value - FirstManyNode),
            _ => throw new FuseException(Errno.EISDIR),
        };
        return ValueTask.FromResult(CopyFrom(content, offset, destination.Span));
    }

    public override ValueTask<FuseOpenResult> OpenDirAsync(FuseRequest request, NodeId node, int flags)
        => ValueTask.FromResult(new FuseOpenResult(new FileHandle(node.Value), FuseOpenFlags.CacheDir | FuseOpenFlags.KeepCache));

    public override ValueTask ReadDirAsync(FuseRequest request, NodeId node, FileHandle handle, long offset, FuseDirectoryBuffer buffer)
    {
        // Cookie = index of the next entry; entries 0 and 1 are "." and "..".
        var children = node.Value switch
        {
            1 => _manyCount > 0 ? [HelloNode, DataNode, LinkNode, ManyNode] : new[] { HelloNode, DataNode, LinkNode },
            DataNode => [BigNode],
            ManyNode => null,
            _ => throw new FuseException(Errno.ENOTDIR),
        };
        var total = 2 + (children?.Length ?? _manyCount);
        for (var index = offset; index < total; index++)
        {
            bool added;
            if (index < 2)
            {
                added = buffer.TryAdd(index == 0 ? "." : "..", index + 1, node.Value, FuseFileType.Directory);
            }
            else
            {
                var child = children is null ? FirstManyNode + (ulong)(index - 2) : children[index - 2];
                var entry = Entry(child);
                added = buffer.TryAdd(Name(child), index + 1, in entry);
            }

            if (!added)
            {
                break;
            }
        }

        return ValueTask.CompletedTask;
    }

    public override ValueTask<FuseStatFs> StatFsAsync(FuseRequest request, NodeId node)
        => ValueTask.FromResult(new FuseStatFs
        {
            BlockSize = 4096,
            Blocks = (ulong)((_bigSize + 4095) / 4096) + 1,
            Files = (ulong)(5 + _manyCount),
            MaxNameLength = 255,
        });

    public override ValueTask<byte[]?> GetXAttrAsync(FuseRequest request, NodeId node, string name)
    {
        if (!_xattrs)
        {
            return base.GetXAttrAsync(request, node, name);
        }

        var value = (node.Value, name) switch
        {
            (HelloNode, "user.greeting") => "hello",
            (HelloNode, "user.lang") => "en",
            (BigNode, "user.pattern") => Pattern.Description,
            _ => null,
        };
        return ValueTask.FromResult(value is null ? null : Encoding.UTF8.GetBytes(value));
    }

    public override ValueTask<IReadOnlyList<string>> ListXAttrAsync(FuseRequest request, NodeId node)
        => !_xattrs ? base.ListXAttrAsync(request, node) : ValueTask.FromResult<IReadOnlyList<string>>(node.Value switch
        {
            HelloNode => ["user.greeting", "user.lang"],
            BigNode => ["user.pattern"],
            _ => [],
        });

    private bool IsNode(ulong node)
        => node is 1 or HelloNode or DataNode or LinkNode or BigNode || (node == ManyNode && _manyCount > 0)
            || (node >= FirstManyNode && node < FirstManyNode + (ulong)_manyCount);

    private FuseEntry Entry(ulong node) => new(new NodeId(node), Attributes(node), CacheTimeout, CacheTimeout);

    private FuseAttributes Attributes(ulong node)
    {
        var (type, size, permissions) = node switch
        {
            1 or DataNode or ManyNode => (FuseFileType.Directory, 4096L, (UnixFileMode)0b111_101_101),
            LinkNode => (FuseFileType.SymbolicLink, 9L, (UnixFileMode)0b111_111_111),
            HelloNode => (FuseFileType.RegularFile, HelloContent.Length, (UnixFileMode)0b110_100_100),
            BigNode => (FuseFileType.RegularFile, _bigSize, (UnixFileMode)0b110_100_100),
            _ => (FuseFileType.RegularFile, (long)ManyContent(node - FirstManyNode).Length, (UnixFileMode)0b110_100_100),
        };
        return new FuseAttributes
        {
            Ino = node,
            Type = type,
            Permissions = permissions,
            Size = (ulong)size,
            LinkCount = type == FuseFileType.Directory ? 2u : 1u,
            BlockSize = 1 << 20,
            AccessTime = MountTime,
            ModificationTime = MountTime,
            ChangeTime = MountTime,
        };
    }

    private static string Name(ulong node) => node switch
    {
        HelloNode => "hello.txt",
        DataNode => "data",
        LinkNode => "link",
        ManyNode => "many",
        BigNode => "big.bin",
        _ => ManyName(node - FirstManyNode),
    };

    private static string ManyName(ulong index) => $"file-{index:D5}.txt";

    private static byte[] ManyContent(ulong index) => Encoding.UTF8.GetBytes($"file {index}\n");

    private bool TryParseManyName(string name, out int index)
    {
        index = -1;
        return name.Length == 14 && name.StartsWith("file-", StringComparison.Ordinal) && name.EndsWith(".txt", StringComparison.Ordinal)
            && int.TryParse(name.AsSpan(5, 5), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out index)
            && index < _manyCount;
    }

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
}

using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;

namespace HddFs.Fuse;

/// <summary>
/// The reply buffer of one READDIR or READDIRPLUS request, lent to <see cref="FuseFileSystem.ReadDirAsync"/>.
/// Add entries in order until <c>TryAdd</c> returns false (the kernel's buffer is full); the kernel asks
/// again with the <c>nextOffset</c> of the last entry it received. Offsets are the filesystem's own
/// cookies and must be positive (0 means "from the start").
/// </summary>
/// <remarks>
/// Lookup counting: in READDIRPLUS mode (<see cref="IsPlus"/>), every entry added with a
/// <see cref="FuseEntry"/> whose NodeId is not 0 — except "." and ".." — gives the kernel one lookup
/// reference on that node, exactly like a successful LOOKUP; it comes back through
/// <see cref="FuseFileSystem.Forget"/>. If ReadDirAsync fails, no entry reaches the kernel, so a filesystem
/// that counts lookups should count them once ReadDirAsync is about to succeed.
/// Ownership and threads: the buffer belongs to the binding; use it only until the ReadDirAsync ValueTask
/// completes, from one thread at a time.
/// </remarks>
public sealed class FuseDirectoryBuffer
{
    private const int HeaderSize = 16;
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private byte[]? _buffer;
    private readonly int _limit;
    private int _position = HeaderSize;

    internal FuseDirectoryBuffer(bool plus, int size)
    {
        IsPlus = plus;
        _buffer = ArrayPool<byte>.Shared.Rent(HeaderSize + size);
        _limit = HeaderSize + size;
    }

    /// <summary>True for READDIRPLUS: entries should carry attributes (<see cref="TryAdd(string, long, in FuseEntry)"/>).</summary>
    public bool IsPlus { get; }

    /// <summary>Entries added so far.</summary>
    public int Count { get; private set; }

    /// <summary>Bytes of the kernel's buffer still free.</summary>
    public int Remaining => _limit - _position;

    /// <summary>Adds an entry with attributes (READDIRPLUS) — in plain READDIR mode only its Ino and Type are used.</summary>
    public bool TryAdd(string name, long nextOffset, in FuseEntry entry) => TryAdd(Encode(name), nextOffset, entry);

    /// <summary>Adds an entry with attributes, the name given as raw bytes.</summary>
    public bool TryAdd(ReadOnlySpan<byte> name, long nextOffset, in FuseEntry entry)
    {
        if (entry.IsNegative)
        {
            throw new ArgumentException("A directory entry cannot be negative; use the (ino, type) overload to add one without a node.", nameof(entry));
        }

        return Add(name, nextOffset, entry.Attributes.Ino, entry.Attributes.Type, entry);
    }

    /// <summary>Adds an entry without attributes. In READDIRPLUS mode it carries NodeId 0: the kernel lists it
    /// but caches nothing and takes no lookup reference (right for "." and "..").</summary>
    public bool TryAdd(string name, long nextOffset, ulong ino, FuseFileType type) => TryAdd(Encode(name), nextOffset, ino, type);

    /// <summary>Adds an entry without attributes, the name given as raw bytes.</summary>
    public bool TryAdd(ReadOnlySpan<byte> name, long nextOffset, ulong ino, FuseFileType type) => Add(name, nextOffset, ino, type, null);

    private static byte[] Encode(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return StrictUtf8.GetBytes(name);
    }

    private bool Add(ReadOnlySpan<byte> name, long nextOffset, ulong ino, FuseFileType type, FuseEntry? entry)
    {
        var buffer = _buffer ?? throw new ObjectDisposedException(nameof(FuseDirectoryBuffer), "The READDIR request was already answered.");
        if (name.IsEmpty || name.Length > Interop.FuseKernel.FUSE_NAME_MAX || name.IndexOfAny((byte)'/', (byte)0) >= 0)
        {
            // The kernel rejects the whole listing with EIO for such a name: fail loudly here instead.
            throw new ArgumentException($"Invalid directory entry name '{Encoding.UTF8.GetString(name)}'.", nameof(name));
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(nextOffset);
        var nameOffset = IsPlus ? Interop.FuseKernel.FUSE_NAME_OFFSET_DIRENTPLUS : Interop.FuseKernel.FUSE_NAME_OFFSET;
        var recordLength = Interop.FuseKernel.FUSE_DIRENT_ALIGN(nameOffset + name.Length);
        if (recordLength > Remaining)
        {
            return false;
        }

        var record = buffer.AsSpan(_position, recordLength);
        var dirent = new Interop.fuse_dirent
        {
            ino = ino,
            off = (ulong)nextOffset,
            namelen = (uint)name.Length,
            type = (uint)type,
        };
        if (IsPlus)
        {
            var plus = new Interop.fuse_direntplus
            {
                entry_out = entry is { } e && !IsDotOrDotDot(name) ? e.ToKernel() : default,
                dirent = dirent,
            };
            MemoryMarshal.Write(record, in plus);
        }
        else
        {
            MemoryMarshal.Write(record, in dirent);
        }

        name.CopyTo(record[nameOffset..]);
        record[(nameOffset + name.Length)..].Clear();
        _position += recordLength;
        Count++;
        return true;
    }

    private static bool IsDotOrDotDot(ReadOnlySpan<byte> name) => name is [(byte)'.'] or [(byte)'.', (byte)'.'];

    /// <summary>The reply: 16 bytes reserved for the out header, then the records.</summary>
    internal byte[] Buffer => _buffer ?? throw new ObjectDisposedException(nameof(FuseDirectoryBuffer));

    internal int Length => _position;

    /// <summary>Returns the pooled array; later TryAdd calls throw.</summary>
    internal void Release()
    {
        var buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}

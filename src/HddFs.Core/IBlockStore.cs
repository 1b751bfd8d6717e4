namespace HddFs.Core;

/// <summary>
/// Identifies one version of one remote file. A file whose size or mtime changed gets a new key, so
/// a changed remote file is never served from stale blocks.
/// </summary>
public readonly record struct FileKey(PeerId Peer, SharePath Path, long Size, long ModifiedUnixMs);

/// <summary>
/// A block cache: fixed-size blocks of remote files (the last block of a file may be short).
/// Thread-safe. Implementations verify each block on read and report a corrupt block as missing.
/// </summary>
public interface IBlockStore
{
    /// <summary>Size of every block except possibly a file's last one.</summary>
    int BlockSize { get; }

    /// <summary>Copies block <paramref name="blockIndex"/> into <paramref name="destination"/> (at
    /// least <see cref="BlockSize"/> long) and returns its length, or -1 when the block is absent or
    /// failed its checksum.</summary>
    int TryRead(FileKey file, long blockIndex, Span<byte> destination);

    /// <summary>Stores a block (full, or the file's last one). May evict older blocks to stay under
    /// the cap; never fails the caller for lack of space (the block is then simply not kept).</summary>
    void Write(FileKey file, long blockIndex, ReadOnlySpan<byte> data);

    /// <summary>Whether the block is present (cheap; does not verify).</summary>
    bool Contains(FileKey file, long blockIndex);

    /// <summary>Bytes of <paramref name="file"/> currently cached.</summary>
    long CachedBytes(FileKey file);
}

using System.Buffers;
using System.Buffers.Binary;
using HddFs.Core;
using Microsoft.Win32.SafeHandles;

namespace HddFs.Cache;

// LOCK ORDER: _lock only (held for the index lookup and LRU touch, never during the read itself).

public sealed partial class DiskBlockCache
{
    private enum ReadOutcome
    {
        Valid,
        Vanished,
        Corrupt,
    }

    /// <summary>
    /// Copies a cached block into <paramref name="destination"/> and returns its length, or -1 when it
    /// is absent. Every byte of the block file is verified (data checksum seeded by the block's identity,
    /// identity and footer compared, length exact); a block that fails is deleted, logged and reported
    /// as absent. On -1 the contents of <paramref name="destination"/> are unspecified. A hit makes the
    /// block the most recently used (in memory only).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative block index.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than the block.</exception>
    public int TryRead(FileKey file, long blockIndex, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(blockIndex);
        var length = BlockFormat.ExpectedLength(file, blockIndex, BlockSize);
        if (length == 0)
        {
            Interlocked.Increment(ref _misses);
            return -1;
        }

        if (destination.Length < length)
        {
            throw new ArgumentException($"The destination holds {destination.Length} bytes; block {blockIndex} has {length}.", nameof(destination));
        }

        BlockEntry? entry;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            entry = FindLocked(file, blockIndex);
            if (entry is not null)
            {
                _lru.MoveToNewest(entry);
                _orderChanged = true;
            }
        }

        if (entry is null)
        {
            Interlocked.Increment(ref _misses);
            return -1;
        }

        var path = _layout.BlockPath(entry.Name);
        var outcome = ReadBlockFile(path, entry, destination[..length], out var problem);
        if (outcome == ReadOutcome.Valid)
        {
            Interlocked.Increment(ref _hits);
            return length;
        }

        lock (_lock)
        {
            // Not linked: evicted or invalidated meanwhile, which is a plain miss. Still linked: the file
            // vanished under us (deleted by someone else) or is corrupt; either way it goes.
            if (entry.IsLinked)
            {
                RemoveLocked(entry);
                if (outcome == ReadOutcome.Corrupt)
                {
                    _corruptBlocks++;
                }
            }
            else
            {
                outcome = ReadOutcome.Vanished;
            }
        }

        if (outcome == ReadOutcome.Corrupt)
        {
            Log.CorruptBlock(_logger, path, problem);
        }
        else
        {
            Log.BlockVanished(_logger, path);
        }

        Interlocked.Increment(ref _misses);
        return -1;
    }

    private static ReadOutcome ReadBlockFile(string path, BlockEntry entry, Span<byte> data, out string problem)
    {
        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            problem = "vanished";
            return ReadOutcome.Vanished;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            problem = ex.Message;
            return ReadOutcome.Corrupt;
        }

        using (handle)
        {
            try
            {
                return Verify(handle, entry, data, out problem);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                problem = ex.Message;
                return ReadOutcome.Corrupt;
            }
        }
    }

    private static ReadOutcome Verify(SafeFileHandle handle, BlockEntry entry, Span<byte> data, out string problem)
    {
        if (ReadFully(handle, data, 0) != data.Length)
        {
            problem = "truncated";
            return ReadOutcome.Corrupt;
        }

        var identity = entry.File.Identity;
        var trailerLength = entry.TrailerLength;
        Span<byte> label = stackalloc byte[BlockFormat.FooterLength - 8];
        BlockFormat.WriteFooterLabel(label, identity.Length, data.Length, entry.Index);

        // One byte more than the trailer is asked for: getting it means the file is longer than written.
        var rented = ArrayPool<byte>.Shared.Rent(trailerLength + 1);
        try
        {
            var trailer = rented.AsSpan(0, trailerLength + 1);
            var read = ReadFully(handle, trailer, data.Length);
            if (read != trailerLength)
            {
                problem = read < trailerLength ? "truncated" : "longer than written";
                return ReadOutcome.Corrupt;
            }

            if (!trailer[..identity.Length].SequenceEqual(identity) || !trailer.Slice(identity.Length, label.Length).SequenceEqual(label))
            {
                problem = "identity or footer mismatch";
                return ReadOutcome.Corrupt;
            }

            var stored = BinaryPrimitives.ReadUInt64LittleEndian(trailer.Slice(trailerLength - 8, 8));
            if (stored != BlockFormat.Checksum(data, entry.Name))
            {
                problem = "checksum mismatch";
                return ReadOutcome.Corrupt;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }

        problem = "";
        return ReadOutcome.Valid;
    }

    /// <summary>Reads until <paramref name="buffer"/> is full or the file ends; returns the bytes read.</summary>
    private static int ReadFully(SafeFileHandle handle, Span<byte> buffer, long offset)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var n = RandomAccess.Read(handle, buffer[total..], offset + total);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        return total;
    }
}

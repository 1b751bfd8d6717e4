using System.Buffers.Binary;
using System.IO.Hashing;
using Microsoft.Extensions.Logging;

namespace HddFs.Cache;

/// <summary>
/// The persisted approximate LRU order: block names, least recently used first. Read hits only touch
/// memory; this file is rewritten (temp name, then rename) periodically when the order changed and on
/// dispose, so after a crash the order is at most one save interval old. It is only a hint: names that
/// are not on disk are ignored, and blocks it does not name count as newer than every block it does.
/// <code>
///   magic "HLRU" (u32) ‖ version 1 (u16) ‖ 0 (u16) ‖ count (i32) ‖ count × name (u128) ‖ XxHash3 of all before (u64)
/// </code>
/// </summary>
internal static class AccessOrderFile
{
    private const uint Magic = 0x55524C48; // "HLRU"
    private const ushort Version = 1;
    private const int HeaderLength = 12;
    private const int NameBytes = 16;

    /// <summary>Writes the order (oldest first) to <paramref name="path"/> atomically.</summary>
    public static void Save(string path, IReadOnlyList<UInt128> oldestFirst)
    {
        var bytes = new byte[HeaderLength + (oldestFirst.Count * NameBytes) + 8];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(4), Version);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), oldestFirst.Count);
        for (var i = 0; i < oldestFirst.Count; i++)
        {
            BinaryPrimitives.WriteUInt128LittleEndian(bytes.AsSpan(HeaderLength + (i * NameBytes)), oldestFirst[i]);
        }

        var checksumAt = bytes.Length - 8;
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(checksumAt), XxHash3.HashToUInt64(bytes.AsSpan(0, checksumAt)));
        var temp = path + CacheLayout.TempSuffix;
        File.WriteAllBytes(temp, bytes);
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Name → rank (0 = least recently used), or an empty map when the file is missing or invalid.</summary>
    public static Dictionary<UInt128, int> Load(string path, int maxEntries, ILogger logger)
    {
        var ranks = new Dictionary<UInt128, int>();
        byte[] bytes;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                return ranks;
            }

            if (info.Length > HeaderLength + 8 + ((long)maxEntries * NameBytes))
            {
                Log.AccessOrderIgnored(logger, path, "too large");
                return ranks;
            }

            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.AccessOrderIgnored(logger, path, ex.Message);
            return ranks;
        }

        if (bytes.Length < HeaderLength + 8
            || BinaryPrimitives.ReadUInt32LittleEndian(bytes) != Magic
            || BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(4)) != Version)
        {
            Log.AccessOrderIgnored(logger, path, "unknown format");
            return ranks;
        }

        var count = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(8));
        var checksumAt = bytes.Length - 8;
        if (count < 0 || (long)HeaderLength + ((long)count * NameBytes) != checksumAt
            || BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(checksumAt)) != XxHash3.HashToUInt64(bytes.AsSpan(0, checksumAt)))
        {
            Log.AccessOrderIgnored(logger, path, "checksum or length mismatch");
            return ranks;
        }

        for (var i = 0; i < count; i++)
        {
            ranks.TryAdd(BinaryPrimitives.ReadUInt128LittleEndian(bytes.AsSpan(HeaderLength + (i * NameBytes))), i);
        }

        return ranks;
    }
}

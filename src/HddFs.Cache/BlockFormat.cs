using System.Buffers.Binary;
using System.Globalization;
using System.IO.Hashing;
using System.Text;
using HddFs.Core;

namespace HddFs.Cache;

/// <summary>
/// The layout of one block file (format 1). Every block is its own file, named by a hash of what it is:
/// <code>
///   file    = data[dataLength] ‖ trailer
///   trailer = identity[identityLength] ‖ footer[32]
///   identity = peer key (32) ‖ file size (i64) ‖ mtime ms (i64) ‖ path (UTF-8, the rest)
///   footer   = magic "HDB1" (u32) ‖ format (u16) ‖ identityLength (u16) ‖ dataLength (u32)
///              ‖ reserved 0 (u32) ‖ block index (i64) ‖ checksum (u64)            (all little-endian)
/// </code>
/// The trailer minus its last 8 bytes is the block's <em>label</em>: it is fully determined by
/// (FileKey, block index, block size). name = XxHash128(label) as 32 lower-case hex digits;
/// checksum = XxHash3-64(data) seeded with the low 64 bits of that name hash. So the checksum covers the
/// key identity too: a file renamed onto another block's name fails it, and so does one whose
/// identity or footer bytes changed (those are also compared byte for byte on every read).
/// Data comes first so a read copies it straight into the caller's buffer with one pread.
/// </summary>
internal static class BlockFormat
{
    public const int FooterLength = 32;
    public const ushort FormatVersion = 1;
    public const int NameLength = 32;

    /// <summary>Peer key, size, mtime: the fixed part of the identity before the path.</summary>
    public const int FixedIdentityLength = PeerId.Length + 8 + 8;

    public const int MaxIdentityLength = FixedIdentityLength + SharePath.MaxBytes;

    /// <summary>Bytes on disk are accounted in filesystem allocation units, so that the accounted
    /// total bounds what <c>du</c> reports as well as the sum of file lengths.</summary>
    public const int AllocationUnit = 4096;

    private const uint Magic = 0x31424448; // "HDB1"

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The identity bytes of a file version (shared by all its blocks).</summary>
    public static byte[] BuildIdentity(FileKey file)
    {
        var path = file.Path.Value;
        var identity = new byte[FixedIdentityLength + Encoding.UTF8.GetByteCount(path)];
        file.Peer.CopyTo(identity);
        BinaryPrimitives.WriteInt64LittleEndian(identity.AsSpan(PeerId.Length), file.Size);
        BinaryPrimitives.WriteInt64LittleEndian(identity.AsSpan(PeerId.Length + 8), file.ModifiedUnixMs);
        Encoding.UTF8.GetBytes(path, identity.AsSpan(FixedIdentityLength));
        return identity;
    }

    /// <summary>Parses identity bytes back into a key; false when they are not a valid identity.</summary>
    public static bool TryParseIdentity(ReadOnlySpan<byte> identity, out FileKey file)
    {
        file = default;
        if (identity.Length < FixedIdentityLength || identity.Length > MaxIdentityLength)
        {
            return false;
        }

        var peer = new PeerId(identity[..PeerId.Length]);
        var size = BinaryPrimitives.ReadInt64LittleEndian(identity[PeerId.Length..]);
        var mtime = BinaryPrimitives.ReadInt64LittleEndian(identity[(PeerId.Length + 8)..]);
        string text;
        try
        {
            text = StrictUtf8.GetString(identity[FixedIdentityLength..]);
        }
        catch (DecoderFallbackException)
        {
            return false;
        }

        if (size <= 0 || !SharePath.TryParse(text, out var path) || !string.Equals(path.Value, text, StringComparison.Ordinal))
        {
            return false;
        }

        file = new FileKey(peer, path, size, mtime);
        return true;
    }

    /// <summary>Writes the first 24 footer bytes (everything but the checksum).</summary>
    public static void WriteFooterLabel(Span<byte> footer, int identityLength, int dataLength, long blockIndex)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(footer, Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(footer[4..], FormatVersion);
        BinaryPrimitives.WriteUInt16LittleEndian(footer[6..], checked((ushort)identityLength));
        BinaryPrimitives.WriteUInt32LittleEndian(footer[8..], checked((uint)dataLength));
        BinaryPrimitives.WriteUInt32LittleEndian(footer[12..], 0);
        BinaryPrimitives.WriteInt64LittleEndian(footer[16..], blockIndex);
    }

    /// <summary>Builds a complete trailer for <paramref name="data"/> and returns the block's name hash.</summary>
    public static byte[] BuildTrailer(byte[] identity, long blockIndex, ReadOnlySpan<byte> data, out UInt128 name)
    {
        var trailer = new byte[identity.Length + FooterLength];
        identity.CopyTo(trailer, 0);
        WriteFooterLabel(trailer.AsSpan(identity.Length), identity.Length, data.Length, blockIndex);
        name = XxHash128.HashToUInt128(trailer.AsSpan(0, trailer.Length - 8));
        BinaryPrimitives.WriteUInt64LittleEndian(trailer.AsSpan(trailer.Length - 8), Checksum(data, name));
        return trailer;
    }

    public static ulong Checksum(ReadOnlySpan<byte> data, UInt128 name) => XxHash3.HashToUInt64(data, unchecked((long)(ulong)name));

    /// <summary>Bytes a block file of this length is charged against the capacity.</summary>
    public static long Charge(long fileLength) => (fileLength + AllocationUnit - 1) / AllocationUnit * AllocationUnit;

    public static string FileName(UInt128 name) => ((ulong)(name >> 64)).ToString("x16", CultureInfo.InvariantCulture) + ((ulong)name).ToString("x16", CultureInfo.InvariantCulture);

    public static bool TryParseFileName(ReadOnlySpan<char> fileName, out UInt128 name)
    {
        name = default;
        if (fileName.Length != NameLength)
        {
            return false;
        }

        foreach (var c in fileName)
        {
            if (!char.IsAsciiHexDigitLower(c) && !char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        var high = ulong.Parse(fileName[..16], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        var low = ulong.Parse(fileName[16..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        name = new UInt128(high, low);
        return true;
    }

    /// <summary>
    /// Validates the tail of a block file found on disk (the last <c>min(length, MaxIdentityLength +
    /// FooterLength)</c> bytes) against its length, its name and the block size. Does not read the data.
    /// </summary>
    public static bool TryParseTail(ReadOnlySpan<byte> tail, long fileLength, UInt128 expectedName, int blockSize, out ParsedBlock block, out string reason)
    {
        block = default;
        if (tail.Length < FooterLength)
        {
            reason = "shorter than a footer";
            return false;
        }

        var footer = tail[^FooterLength..];
        if (BinaryPrimitives.ReadUInt32LittleEndian(footer) != Magic)
        {
            reason = "bad magic";
            return false;
        }

        if (BinaryPrimitives.ReadUInt16LittleEndian(footer[4..]) != FormatVersion || BinaryPrimitives.ReadUInt32LittleEndian(footer[12..]) != 0)
        {
            reason = "unknown block format";
            return false;
        }

        int identityLength = BinaryPrimitives.ReadUInt16LittleEndian(footer[6..]);
        var dataLength = BinaryPrimitives.ReadUInt32LittleEndian(footer[8..]);
        var blockIndex = BinaryPrimitives.ReadInt64LittleEndian(footer[16..]);
        if (dataLength == 0 || dataLength > blockSize || identityLength > tail.Length - FooterLength || blockIndex < 0
            || fileLength != dataLength + identityLength + FooterLength)
        {
            reason = "length mismatch";
            return false;
        }

        var label = tail[^(identityLength + FooterLength)..^8];
        if (XxHash128.HashToUInt128(label) != expectedName)
        {
            reason = "name does not match contents";
            return false;
        }

        var identity = label[..identityLength];
        if (!TryParseIdentity(identity, out var file) || ExpectedLength(file, blockIndex, blockSize) != dataLength)
        {
            reason = "invalid identity";
            return false;
        }

        block = new ParsedBlock(file, identity.ToArray(), blockIndex, (int)dataLength);
        reason = "";
        return true;
    }

    /// <summary>Length of block <paramref name="blockIndex"/> of <paramref name="file"/>; 0 past the end.</summary>
    public static int ExpectedLength(FileKey file, long blockIndex, int blockSize)
    {
        if (file.Size <= 0 || blockIndex < 0 || blockIndex > (file.Size - 1) / blockSize)
        {
            return 0;
        }

        return (int)Math.Min(blockSize, file.Size - (blockIndex * blockSize));
    }
}

/// <summary>A block file found on disk whose trailer is consistent.</summary>
internal readonly record struct ParsedBlock(FileKey File, byte[] Identity, long BlockIndex, int DataLength);

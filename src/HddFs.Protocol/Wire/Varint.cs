using System.Numerics;

namespace HddFs.Protocol.Wire;

/// <summary>
/// Unsigned LEB128, at most 10 bytes for a u64. Decoding (in <see cref="BodyReader"/>) accepts only
/// the shortest encoding, so every value has exactly one byte form.
/// </summary>
internal static class Varint
{
    public const int MaxBytes = 10;

    /// <summary>Bytes the shortest encoding of <paramref name="value"/> takes (1..10).</summary>
    public static int Length(ulong value) => (BitOperations.Log2(value | 1) / 7) + 1;

    /// <summary>Writes the shortest encoding; returns the bytes written. <paramref name="destination"/>
    /// must hold <see cref="Length"/> bytes.</summary>
    public static int Write(Span<byte> destination, ulong value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[i++] = (byte)value;
        return i;
    }
}

using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace HddFs.Vfs;

/// <summary>
/// SipHash-2-4 (Aumasson and Bernstein, 2012): a pseudorandom function with a 128-bit secret key and a
/// 64-bit output, designed to hash attacker-chosen input under a key the attacker does not know (the hash
/// tables of Linux, Python and Rust use it against hash flooding). Here it gives inode numbers that a peer
/// choosing path names cannot aim at another path's number, at a fraction of HMAC-SHA256's cost per name.
/// Immutable; thread-safe.
/// </summary>
internal readonly struct SipHash
{
    private readonly ulong _k0;
    private readonly ulong _k1;

    /// <param name="key">At least 16 bytes; the first 16 are the key.</param>
    public SipHash(ReadOnlySpan<byte> key)
    {
        _k0 = BinaryPrimitives.ReadUInt64LittleEndian(key);
        _k1 = BinaryPrimitives.ReadUInt64LittleEndian(key[8..]);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public ulong Hash(ReadOnlySpan<byte> data)
    {
        var v0 = 0x736f6d6570736575UL ^ _k0;
        var v1 = 0x646f72616e646f6dUL ^ _k1;
        var v2 = 0x6c7967656e657261UL ^ _k0;
        var v3 = 0x7465646279746573UL ^ _k1;
        var whole = data.Length & ~7;
        for (var i = 0; i < whole; i += 8)
        {
            var m = BinaryPrimitives.ReadUInt64LittleEndian(data[i..]);
            v3 ^= m;
            Round(ref v0, ref v1, ref v2, ref v3);
            Round(ref v0, ref v1, ref v2, ref v3);
            v0 ^= m;
        }

        var last = (ulong)data.Length << 56;
        var tail = data[whole..];
        for (var i = 0; i < tail.Length; i++)
        {
            last |= (ulong)tail[i] << (8 * i);
        }

        v3 ^= last;
        Round(ref v0, ref v1, ref v2, ref v3);
        Round(ref v0, ref v1, ref v2, ref v3);
        v0 ^= last;
        v2 ^= 0xff;
        for (var i = 0; i < 4; i++)
        {
            Round(ref v0, ref v1, ref v2, ref v3);
        }

        return v0 ^ v1 ^ v2 ^ v3;
    }

    private static void Round(ref ulong v0, ref ulong v1, ref ulong v2, ref ulong v3)
    {
        v0 += v1;
        v1 = BitOperations.RotateLeft(v1, 13);
        v1 ^= v0;
        v0 = BitOperations.RotateLeft(v0, 32);
        v2 += v3;
        v3 = BitOperations.RotateLeft(v3, 16);
        v3 ^= v2;
        v0 += v3;
        v3 = BitOperations.RotateLeft(v3, 21);
        v3 ^= v0;
        v2 += v1;
        v1 = BitOperations.RotateLeft(v1, 17);
        v1 ^= v2;
        v2 = BitOperations.RotateLeft(v2, 32);
    }
}

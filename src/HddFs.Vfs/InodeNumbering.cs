using System.Buffers;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;

namespace HddFs.Vfs;

/// <summary>
/// The primary inode number of a (peer, path): 63 bits of SipHash-2-4 (a keyed pseudorandom function)
/// of the peer's key and the UTF-8 path under a random 128-bit key chosen per mount, so the same path
/// always gets the same number for the mount's lifetime (even after the kernel forgot it) and a hostile
/// peer, which never learns the key, cannot craft names that collide with another peer's paths.
/// (HMAC-SHA256 did the same at ~1.8 µs per name, 18 ms of every 10,000-entry listing; with SipHash
/// the whole number, UTF-8 encoding included, takes ~0.3 µs.)
/// 0 and 1 (the root) are never primary numbers. Collisions are resolved by <see cref="NodeTable"/>.
/// Thread-safe (immutable).
/// </summary>
internal sealed class InodeNumbering
{
    private const ulong Mask = 0x7FFF_FFFF_FFFF_FFFF;

    // immutable
    private readonly SipHash _hash;

    public InodeNumbering()
        : this(RandomNumberGenerator.GetBytes(16))
    {
    }

    /// <param name="key">The first 16 bytes are the key.</param>
    public InodeNumbering(byte[] key) => _hash = new SipHash(key);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public ulong Primary(NodeKey key)
    {
        var path = key.Path.Value;
        var length = 32 + Encoding.UTF8.GetByteCount(path);
        byte[]? rented = null;
        var input = length <= 512 ? stackalloc byte[length] : (rented = ArrayPool<byte>.Shared.Rent(length)).AsSpan(0, length);
        try
        {
            key.Peer.CopyTo(input);
            Encoding.UTF8.GetBytes(path, input[32..]);
            var number = _hash.Hash(input) & Mask;
            return number < 2 ? Probe(number, 1) : number;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>The <paramref name="attempt"/>-th alternative to <paramref name="primary"/> (never 0 or 1).</summary>
    public static ulong Probe(ulong primary, int attempt)
    {
        var x = primary + ((ulong)attempt * 0x9E37_79B9_7F4A_7C15UL);
        x ^= x >> 31;
        x *= 0xBF58_476D_1CE4_E5B9UL;
        x ^= x >> 29;
        x &= Mask;
        return x < 2 ? x + 2 : x;
    }
}

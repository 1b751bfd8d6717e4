using System.Globalization;
using System.Text;
using HddFs.Shares.Interop;

namespace HddFs.Shares;

/// <summary>
/// Real (symlink-free, absolute) paths and the "is it inside the share" test that every symlink and
/// every read goes through. Paths are compared as UTF-8 bytes by whole components, so "/srv/music"
/// never contains "/srv/music2".
/// </summary>
internal static class RealPaths
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>realpath(3) of <paramref name="path"/>, or null with <paramref name="errno"/> set. A real
    /// path that is not valid UTF-8 is reported as ENOENT-like failure (errno 0 and null).</summary>
    public static string? Resolve(string path, out int errno)
    {
        var input = Libc.NulTerminated(path);
        var output = new byte[Libc.PathMax];
        if (Libc.RealPath(ref input[0], ref output[0]) == 0)
        {
            errno = Libc.LastError;
            return null;
        }

        errno = 0;
        var length = Array.IndexOf(output, (byte)0);
        try
        {
            return StrictUtf8.GetString(output, 0, length < 0 ? output.Length : length);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    /// <summary>The path the kernel has for an open descriptor (readlink of /proc/self/fd/N), as bytes;
    /// null when it cannot be read. This names the inode actually opened, so checking it after the
    /// open leaves no window for a symlink to be swapped in.</summary>
    public static byte[]? OfDescriptor(int fd)
    {
        var link = Libc.NulTerminated("/proc/self/fd/" + fd.ToString(CultureInfo.InvariantCulture));
        var buffer = new byte[Libc.PathMax];
        var length = Libc.ReadLink(ref link[0], ref buffer[0], (nuint)buffer.Length);
        return length <= 0 || length >= buffer.Length ? null : buffer.AsSpan(0, (int)length).ToArray();
    }

    /// <summary>True when <paramref name="path"/> equals <paramref name="root"/> or lies below it by
    /// whole components. Both are absolute real paths.</summary>
    public static bool IsSameOrUnder(ReadOnlySpan<byte> path, ReadOnlySpan<byte> root)
    {
        if (root.SequenceEqual("/"u8))
        {
            return path.Length > 0 && path[0] == (byte)'/';
        }

        return path.StartsWith(root) && (path.Length == root.Length || path[root.Length] == (byte)'/');
    }

    /// <summary>Appends a name (or a relative path) to an absolute directory path ("/" included).</summary>
    public static string Join(string directory, string relative)
        => relative.Length == 0 ? directory : directory.EndsWith('/') ? directory + relative : directory + "/" + relative;

    public static bool IsSameOrUnder(string path, string root)
        => IsSameOrUnder(Encoding.UTF8.GetBytes(path), Encoding.UTF8.GetBytes(root));
}

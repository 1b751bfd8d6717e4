using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace HddFs.Bench.Infra;

/// <summary>
/// Files the benches read: large files of incompressible pseudo-random bytes (xorshift64*, seeded, never
/// repeating, written 1 MiB at a time, about 1 s per GiB) and directories of many small files.
/// </summary>
internal static class TestData
{
    public const long MiB = 1 << 20;
    public const long GiB = 1L << 30;

    /// <summary>Writes <paramref name="size"/> pseudo-random bytes to <paramref name="path"/> and returns their
    /// SHA-256 (lower-case hex), computed while writing.</summary>
    public static string CreateRandomFile(string path, long size, ulong seed)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var buffer = new byte[MiB];
        var words = MemoryMarshal.Cast<byte, ulong>(buffer.AsSpan());
        var state = seed * 0x9E3779B97F4A7C15UL | 1;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var handle = File.OpenHandle(path, FileMode.Create, FileAccess.Write, FileShare.Read, FileOptions.None, size);
        for (long offset = 0; offset < size; offset += buffer.Length)
        {
            for (var i = 0; i < words.Length; i++)
            {
                state ^= state >> 12;
                state ^= state << 25;
                state ^= state >> 27;
                words[i] = state * 0x2545F4914F6CDD1DUL;
            }

            var chunk = buffer.AsSpan(0, (int)Math.Min(buffer.Length, size - offset));
            RandomAccess.Write(handle, chunk, offset);
            hash.AppendData(chunk);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>Creates <paramref name="count"/> files of <paramref name="size"/> bytes named f00000.dat...
    /// in <paramref name="directory"/>.</summary>
    public static void CreateSmallFiles(string directory, int count, int size)
    {
        Directory.CreateDirectory(directory);
        var content = new byte[size];
        for (var i = 0; i < count; i++)
        {
            BitConverter.TryWriteBytes(content, i);
            File.WriteAllBytes(Path.Combine(directory, "f" + i.ToString("00000", CultureInfo.InvariantCulture) + ".dat"), content);
        }
    }

    /// <summary>SHA-256 of a file read with a 1 MiB buffer (lower-case hex).</summary>
    public static string Sha256(string path)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
        var buffer = new byte[MiB];
        long offset = 0;
        int read;
        while ((read = RandomAccess.Read(handle, buffer, offset)) > 0)
        {
            hash.AppendData(buffer.AsSpan(0, read));
            offset += read;
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary><see cref="Sha256"/> on a worker, given up on after <paramref name="timeout"/> (a hung mount must
    /// not hang the bench; tearing the mount down releases the worker).</summary>
    public static Task<string> Sha256Async(string path, TimeSpan timeout, CancellationToken cancellationToken)
        => Task.Run(() => Sha256(path), CancellationToken.None).WaitAsync(timeout, cancellationToken);
}

using System.Security.Cryptography;
using HddFs.Testing;

namespace HddFs.Mount.Tests;

/// <summary>One file of a fake peer's shares.</summary>
internal sealed record TreeFile(string Path, byte[] Content, long ModifiedUnixMs)
{
    public string Sha256 => Convert.ToHexStringLower(SHA256.HashData(Content));
}

/// <summary>
/// The content of the fake peers, defined once: put into <see cref="FakeRemoteShares"/> and written to a
/// local directory (same names, bytes and mtimes), so what comes out of the mount can be compared with
/// `diff -r` and `find` against a real filesystem.
/// </summary>
internal sealed class TestTree
{
    private const long Day = 86_400_000;

    public TestTree(IReadOnlyList<TreeFile> files, IReadOnlyList<(string Path, long ModifiedUnixMs)> directories)
    {
        Files = files;
        Directories = directories;
    }

    public IReadOnlyList<TreeFile> Files { get; }

    /// <summary>Directories with their mtime (every file's parents exist too, with the default mtime).</summary>
    public IReadOnlyList<(string Path, long ModifiedUnixMs)> Directories { get; }

    /// <summary>Alice's shares: nested directories, an empty one, odd names, empty and block-straddling files.</summary>
    public static TestTree Alice { get; } = new(
        [
            new("Music/album/track01.flac", FakeRemoteShares.Pattern(300 * 1024, 11), FakeRemoteShares.DefaultModifiedUnixMs + 123),
            new("Music/album/track02.flac", FakeRemoteShares.Pattern((1 << 20) + 17, 12), FakeRemoteShares.DefaultModifiedUnixMs - (3 * Day)),
            new("Music/readme.txt", "songs\n"u8.ToArray(), FakeRemoteShares.DefaultModifiedUnixMs + 999),
            new("Photos/2023/img_0001.jpg", FakeRemoteShares.Pattern(200 * 1024, 13), FakeRemoteShares.DefaultModifiedUnixMs - Day),
            new("Docs/a b c.txt", "spaces in the name\n"u8.ToArray(), FakeRemoteShares.DefaultModifiedUnixMs),
            new("Docs/ünïcödé – ok.txt", "unicode\n"u8.ToArray(), FakeRemoteShares.DefaultModifiedUnixMs + 1),
            new("Docs/zero.bin", [], FakeRemoteShares.DefaultModifiedUnixMs + 2),
            new("Docs/uncached.bin", FakeRemoteShares.Pattern(500 * 1024, 14), FakeRemoteShares.DefaultModifiedUnixMs + 3),
        ],
        [("Photos/empty", FakeRemoteShares.DefaultModifiedUnixMs + (5 * Day)), ("Music/album", FakeRemoteShares.DefaultModifiedUnixMs + 7)]);

    /// <summary>Bob's shares: a deep path and a file of several blocks.</summary>
    public static TestTree Bob { get; } = new(
        [
            new("Videos/clip.bin", FakeRemoteShares.Pattern((3 << 20) + 4321, 21), FakeRemoteShares.DefaultModifiedUnixMs + 50),
            new("Share/nested/deep/deeper/file.txt", "deep\n"u8.ToArray(), FakeRemoteShares.DefaultModifiedUnixMs + 51),
            new("Share/other.bin", FakeRemoteShares.Pattern(70 * 1024, 22), FakeRemoteShares.DefaultModifiedUnixMs + 52),
        ],
        []);

    /// <summary>Our own shares.</summary>
    public static TestTree Me { get; } = new(
        [new("Public/hello.txt", "Hello from me\n"u8.ToArray(), FakeRemoteShares.DefaultModifiedUnixMs + 60)],
        []);

    public TreeFile this[string path] => Files.Single(f => f.Path == path);

    public void AddTo(FakeRemoteShares shares)
    {
        foreach (var file in Files)
        {
            shares.AddFile(file.Path, file.Content, file.ModifiedUnixMs);
        }

        foreach (var (path, modified) in Directories)
        {
            shares.AddDirectory(path, modified);
        }
    }

    /// <summary>Writes the tree under <paramref name="root"/> with the same mtimes as the fake lists.</summary>
    public void Materialize(string root)
    {
        var directories = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var file in Files)
        {
            var full = Path.Combine(root, file.Path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllBytes(full, file.Content);
            File.SetLastWriteTimeUtc(full, DateTimeOffset.FromUnixTimeMilliseconds(file.ModifiedUnixMs).UtcDateTime);
            for (var parent = Path.GetDirectoryName(file.Path); !string.IsNullOrEmpty(parent); parent = Path.GetDirectoryName(parent))
            {
                directories.TryAdd(parent, FakeRemoteShares.DefaultModifiedUnixMs);
            }
        }

        foreach (var (path, modified) in Directories)
        {
            Directory.CreateDirectory(Path.Combine(root, path));
            directories[path] = modified;
        }

        // Deepest first, after every file: creating entries changes a directory's mtime.
        foreach (var (path, modified) in directories.OrderByDescending(d => d.Key.Count(c => c == '/')))
        {
            Directory.SetLastWriteTimeUtc(Path.Combine(root, path), DateTimeOffset.FromUnixTimeMilliseconds(modified).UtcDateTime);
        }
    }
}

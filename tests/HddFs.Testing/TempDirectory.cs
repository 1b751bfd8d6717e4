namespace HddFs.Testing;

/// <summary>A fresh directory under /tmp, deleted (recursively, best effort) on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory(string? prefix = null)
    {
        // Short names: Unix socket paths under a temp dir are limited to 107 bytes.
        var name = $"{prefix ?? "hddfs-test"}-{Guid.NewGuid():N}";
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), name[..Math.Min(name.Length, 40)]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>Creates a file (and its parent directories) with the given text; returns its full path.</summary>
    public string WriteFile(string relativePath, string content)
    {
        var full = System.IO.Path.Combine(Path, relativePath);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
        return full;
    }

    /// <summary>Creates a file with the given bytes; returns its full path.</summary>
    public string WriteFile(string relativePath, byte[] content)
    {
        var full = System.IO.Path.Combine(Path, relativePath);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllBytes(full, content);
        return full;
    }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

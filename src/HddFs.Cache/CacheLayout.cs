using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

namespace HddFs.Cache;

/// <summary>
/// The cache directory (owned by one <see cref="DiskBlockCache"/> at a time):
/// <code>
///   FORMAT         "hddfs block cache / format N / block-size B": written last when a cache is created,
///                  deleted first when one is wiped, so a half-made or half-wiped cache is never trusted
///   LOCK           held with an exclusive flock while the cache is open (one process per directory)
///   access-order   names of the blocks, least recently used first (saved lazily; see AccessOrderFile)
///   blocks/NAME    one file per block (see BlockFormat); blocks/NAME.tmp while being written
/// </code>
/// Anything else at the top level is left alone; anything else in blocks/ is removed at open.
/// </summary>
internal sealed class CacheLayout
{
    public const string TempSuffix = ".tmp";

    public CacheLayout(string directory)
    {
        Root = Path.GetFullPath(directory);
        Blocks = Path.Combine(Root, "blocks");
        FormatFile = Path.Combine(Root, "FORMAT");
        LockFile = Path.Combine(Root, "LOCK");
        AccessOrder = Path.Combine(Root, "access-order");
    }

    public string Root { get; }

    public string Blocks { get; }

    public string FormatFile { get; }

    public string LockFile { get; }

    public string AccessOrder { get; }

    public string BlockPath(UInt128 name) => Blocks + "/" + BlockFormat.FileName(name);

    public static string ExpectedFormat(int blockSize)
        => $"hddfs block cache\nformat {BlockFormat.FormatVersion}\nblock-size {blockSize}\n";

    /// <summary>Takes the directory's lock; throws <see cref="IOException"/> when another process has it.</summary>
    public SafeFileHandle AcquireLock()
    {
        Directory.CreateDirectory(Root);
        try
        {
            // FileShare.None makes .NET take flock(LOCK_EX | LOCK_NB); it is released when the handle closes
            // (also when the process dies, so a crash never leaves the cache locked).
            return File.OpenHandle(LockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex)
        {
            throw new IOException($"Could not lock the block cache {Root}: is another hddfs daemon using the same data directory?", ex);
        }
    }

    /// <summary>
    /// Makes sure the directory holds a cache of this format and block size: a fresh directory is
    /// initialised; one of another (older, newer, unknown or half-written) layout is wiped with a warning.
    /// </summary>
    public void EnsureFormat(int blockSize, ILogger logger)
    {
        var expected = ExpectedFormat(blockSize);
        var found = ReadFormat();
        if (string.Equals(found, expected, StringComparison.Ordinal) && Directory.Exists(Blocks))
        {
            return;
        }

        if (found is not null || Path.Exists(FormatFile) || Path.Exists(Blocks) || Path.Exists(AccessOrder))
        {
            Log.WipingForFormat(logger, Root, Describe(found), Describe(expected));
            Wipe();
        }

        Directory.CreateDirectory(Blocks);
        var temp = FormatFile + TempSuffix;
        File.WriteAllText(temp, expected, Encoding.ASCII);
        File.Move(temp, FormatFile, overwrite: true);
    }

    private string? ReadFormat()
    {
        try
        {
            var info = new FileInfo(FormatFile);
            if (!info.Exists)
            {
                return null;
            }

            // A FORMAT file is a few dozen bytes; a big one is garbage and must not be read whole.
            return info.Length > 1024 ? "(oversized)" : File.ReadAllText(FormatFile, Encoding.ASCII);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return "(unreadable)";
        }
    }

    private void Wipe()
    {
        // FORMAT goes first: a crash in the middle leaves a directory that is wiped again at next open.
        DeleteFileOrDirectory(FormatFile);
        DeleteFileOrDirectory(Blocks);
        DeleteFileOrDirectory(AccessOrder);
        DeleteFileOrDirectory(AccessOrder + TempSuffix);
    }

    /// <summary>Deletes a file, a symlink (not its target) or a directory tree; nothing if absent.</summary>
    private static void DeleteFileOrDirectory(string path)
    {
        FileAttributes attributes;
        try
        {
            attributes = File.GetAttributes(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return;
        }

        if (attributes.HasFlag(FileAttributes.Directory) && !attributes.HasFlag(FileAttributes.ReparsePoint))
        {
            Directory.Delete(path, recursive: true);
        }
        else
        {
            File.Delete(path);
        }
    }

    private static string Describe(string? format)
    {
        if (format is null)
        {
            return "none";
        }

        var oneLine = format.Trim().Replace('\n', '/');
        var printable = new string([.. oneLine.Take(120).Select(c => c is >= ' ' and < (char)127 ? c : '?')]);
        return printable;
    }
}

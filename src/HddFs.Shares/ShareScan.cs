using System.Text;

namespace HddFs.Shares;

/// <summary>
/// One share's part of a scan: the share, what the index knew when the scan started (read-only
/// during the scan; only the writer changes the database and it is serialized with scans), and what
/// to read. Shared by walkers and the writer, immutable after construction.
/// </summary>
internal sealed class ShareScan
{
    public ShareScan(ShareRecord share, IReadOnlyDictionary<string, KnownDirectory> known, ScanMode mode, IReadOnlyCollection<string>? targets = null, bool isNewShare = false)
    {
        Share = share;
        IsNewShare = isNewShare;
        Known = known;
        Mode = mode;
        Targets = targets ?? [];
        RootBytes = Encoding.UTF8.GetBytes(share.Root);
        NameBytes = Encoding.UTF8.GetByteCount(share.Name);
    }

    public ShareRecord Share { get; }

    public string Root => Share.Root;

    public byte[] RootBytes { get; }

    /// <summary>UTF-8 length of the share name (the share path of its root).</summary>
    public int NameBytes { get; }

    /// <summary>Relative path → what the index had. Includes the root ("").</summary>
    public IReadOnlyDictionary<string, KnownDirectory> Known { get; }

    public ScanMode Mode { get; }

    /// <summary>The share was just added: nothing is stored under its root, so nothing is diffed.</summary>
    public bool IsNewShare { get; }

    /// <summary>Relative directory paths to read (targeted scans).</summary>
    public IReadOnlyCollection<string> Targets { get; }

    public string FullPath(string relativePath) => RealPaths.Join(Share.Root, relativePath);
}

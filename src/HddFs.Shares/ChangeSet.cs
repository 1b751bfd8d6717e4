using HddFs.Core;

namespace HddFs.Shares;

/// <summary>
/// The paths a scan changed, for <see cref="ShareIndex.Changed"/>. Per share at most
/// <see cref="MaxPerShare"/> paths; beyond that the share is reported as a whole (its root path),
/// which tells a cache to drop everything under it. Used by the writer only (one thread).
/// </summary>
internal sealed class ChangeSet
{
    public const int MaxPerShare = 1024;

    private readonly Dictionary<string, HashSet<string>?> _byShare = new(StringComparer.Ordinal);

    public bool IsEmpty => _byShare.Count == 0;

    /// <summary>Records <paramref name="relativePath"/> ("" = the share itself) of share <paramref name="shareName"/>.</summary>
    public void Add(string shareName, string relativePath)
    {
        if (relativePath.Length == 0)
        {
            _byShare[shareName] = null;
            return;
        }

        if (_byShare.TryGetValue(shareName, out var paths))
        {
            if (paths is null)
            {
                return;
            }

            if (paths.Count >= MaxPerShare)
            {
                _byShare[shareName] = null;
                return;
            }

            paths.Add(relativePath);
            return;
        }

        _byShare[shareName] = new HashSet<string>(StringComparer.Ordinal) { relativePath };
    }

    public IReadOnlyList<SharePath> ToPaths()
    {
        var result = new List<SharePath>();
        foreach (var (share, paths) in _byShare.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (paths is null)
            {
                Append(result, share);
                continue;
            }

            foreach (var path in paths.Order(StringComparer.Ordinal))
            {
                Append(result, share + "/" + path);
            }
        }

        return result;
    }

    private static void Append(List<SharePath> result, string text)
    {
        if (SharePath.TryParse(text, out var path))
        {
            result.Add(path);
        }
    }
}

using System.Collections.Frozen;

namespace HddFs.Shares;

/// <summary>An immutable snapshot of the configured shares, swapped whole when one is added or removed
/// so that queries read it without a lock.</summary>
internal sealed class ShareSet
{
    public static readonly ShareSet Empty = new([]);

    public ShareSet(IEnumerable<ShareRecord> shares)
    {
        Ordered = [.. shares.OrderBy(s => s.Name, StringComparer.Ordinal)];
        ByName = Ordered.ToFrozenDictionary(s => s.Name, StringComparer.Ordinal);
        ById = Ordered.ToFrozenDictionary(s => s.Id);
        Roots = Ordered.ToFrozenDictionary(s => s.Name, s => s.Root, StringComparer.Ordinal);
    }

    /// <summary>Sorted by name (ordinal), the order the root listing uses.</summary>
    public IReadOnlyList<ShareRecord> Ordered { get; }

    /// <summary>Exact (ordinal) name lookup, as share paths compare.</summary>
    public FrozenDictionary<string, ShareRecord> ByName { get; }

    public FrozenDictionary<long, ShareRecord> ById { get; }

    /// <summary>Name → real root path (the public view).</summary>
    public FrozenDictionary<string, string> Roots { get; }

    public ShareSet With(ShareRecord share) => new(Ordered.Append(share));

    public ShareSet Without(ShareRecord share) => new(Ordered.Where(s => s.Id != share.Id));

    /// <summary>The share whose root is exactly <paramref name="root"/>, if any.</summary>
    public ShareRecord? ByRoot(string root) => Ordered.FirstOrDefault(s => string.Equals(s.Root, root, StringComparison.Ordinal));

    /// <summary><paramref name="baseName"/>, or "baseName-2", "-3"… whichever no share has yet. Compared
    /// case-insensitively, so "Music" and "music" never coexist (a mount on a case-insensitive
    /// client could not show both).</summary>
    public string UniqueName(string baseName)
    {
        var taken = Ordered.Select(s => s.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (!taken.Contains(baseName))
        {
            return baseName;
        }

        for (var n = 2; ; n++)
        {
            var suffix = $"-{n}";
            var stem = baseName;
            while (System.Text.Encoding.UTF8.GetByteCount(stem) + suffix.Length > Core.SharePath.MaxComponentBytes)
            {
                stem = char.IsLowSurrogate(stem[^1]) ? stem[..^2] : stem[..^1];
            }

            var candidate = stem + suffix;
            if (!taken.Contains(candidate))
            {
                return candidate;
            }
        }
    }
}

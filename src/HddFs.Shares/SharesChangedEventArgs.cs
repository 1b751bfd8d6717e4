using HddFs.Core;

namespace HddFs.Shares;

/// <summary>
/// What a scan changed. <see cref="Paths"/> holds every entry added, removed or modified, except
/// entries inside a directory that was itself added or removed (reported once, for the directory).
/// A share path alone (e.g. "Music") means "anything under this share may have changed": it is sent
/// when a share is added, removed or becomes unavailable, and when more than 1,024 entries of one
/// share changed in one scan. Not listed but implied: the parent of every path has a changed listing,
/// and every ancestor up to the root has a changed cumulative size.
/// </summary>
public sealed class SharesChangedEventArgs(IReadOnlyList<SharePath> paths) : EventArgs
{
    public IReadOnlyList<SharePath> Paths { get; } = paths;
}

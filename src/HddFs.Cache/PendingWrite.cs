using HddFs.Core;

namespace HddFs.Cache;

/// <summary>A block of a file version, as the key of writes in flight.</summary>
internal readonly record struct BlockId(FileKey File, long Index);

/// <summary>
/// A write in flight: its bytes are already reserved (charged), its file is not yet published.
/// Owned by <see cref="DiskBlockCache"/>; guarded by its lock.
/// </summary>
internal sealed class PendingWrite
{
    /// <summary>Set when the block's file version was invalidated meanwhile: the finished file is
    /// deleted instead of published.</summary>
    public bool Cancelled { get; set; }
}

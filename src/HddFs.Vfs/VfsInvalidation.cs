namespace HddFs.Vfs;

/// <summary>What changed.</summary>
public enum VfsInvalidationKind
{
    /// <summary>The node's attributes and content changed (a remote file changed, or a directory's
    /// membership or size changed): drop its cached attributes and pages (FUSE_NOTIFY_INVAL_INODE).</summary>
    Node = 1,

    /// <summary>The name <see cref="VfsInvalidation.Name"/> in directory <see cref="VfsInvalidation.Node"/>
    /// appeared, disappeared or now means something else: drop that dentry, negative ones included
    /// (FUSE_NOTIFY_INVAL_ENTRY).</summary>
    Entry = 2,
}

/// <summary>
/// Raised through <see cref="VirtualFileSystem.Invalidated"/>. Raised synchronously on the thread that
/// noticed the change, which may be serving a kernel request at the time: the handler must only queue
/// the notification (sending it inline can deadlock the kernel), and may drop it when its queue is full
/// (the attribute and entry timeouts bound the staleness anyway).
/// </summary>
/// <param name="Kind">What changed.</param>
/// <param name="Node">The changed node (<see cref="VfsInvalidationKind.Node"/>) or the directory holding
/// <paramref name="Name"/> (<see cref="VfsInvalidationKind.Entry"/>).</param>
/// <param name="Name">The entry name, for <see cref="VfsInvalidationKind.Entry"/>; null otherwise.</param>
public sealed record VfsInvalidation(VfsInvalidationKind Kind, ulong Node, string? Name)
{
    public override string ToString() => Kind == VfsInvalidationKind.Node ? $"node {Node}" : $"entry {Node}/{Name}";
}

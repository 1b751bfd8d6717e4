using HddFs.Fuse;
using HddFs.Vfs;

namespace HddFs.Mount;

// OPEN / READ / FLUSH / RELEASE.
internal sealed partial class VfsFuseAdapter
{
    // open(2) flags (the same on every Linux architecture we run on).
    private const int AccessModeMask = 0x3; // O_ACCMODE
    private const int ReadOnlyAccess = 0x0; // O_RDONLY
    private const int Truncate = 0x200;     // O_TRUNC

    /// <summary>
    /// Read-only opens only (the binding refuses the others before calling us; checked again here so the
    /// adapter is correct on its own). FOPEN_KEEP_CACHE when the file is the version the node was last
    /// opened with, so re-reads come from the page cache; a changed file gets no KEEP_CACHE, which makes
    /// the kernel drop the old pages at this open.
    /// </summary>
    public override async ValueTask<FuseOpenResult> OpenAsync(FuseRequest request, NodeId node, int flags)
    {
        if ((flags & AccessModeMask) != ReadOnlyAccess || (flags & Truncate) != 0)
        {
            throw Failed(FuseOpcode.Open, node, ErrnoMap.Failure(VfsError.ReadOnly, "hddfs is read-only."));
        }

        ThrowIfUnmounting(FuseOpcode.Open, node);

        try
        {
            var opened = await _vfs.OpenFileAsync(node.Value, request.CancellationToken).ConfigureAwait(false);
            return new FuseOpenResult(new FileHandle(opened.Handle), opened.KeepCache ? FuseOpenFlags.KeepCache : FuseOpenFlags.None);
        }
        catch (Exception e) when (ErrnoMap.TryTranslate(e, IsUnmounting, out var translated))
        {
            throw Failed(FuseOpcode.Open, node, translated);
        }
    }

    /// <summary>
    /// Straight into the binding's pooled buffer. Reads on one handle may run concurrently (the kernel's
    /// readahead sends several); the VFS only writes into <paramref name="destination"/> before its
    /// ValueTask completes, also when cancelled, as the binding's ownership rule requires.
    /// </summary>
    public override async ValueTask<int> ReadAsync(FuseRequest request, NodeId node, FileHandle handle, long offset, Memory<byte> destination)
    {
        ThrowIfUnmounting(FuseOpcode.Read, node);
        try
        {
            return await _vfs.ReadAsync(handle.Value, offset, destination, request.CancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (ErrnoMap.TryTranslate(e, IsUnmounting, out var translated))
        {
            throw Failed(FuseOpcode.Read, node, translated);
        }
    }

    /// <summary>Nothing is buffered for writing, so every close(2) succeeds.</summary>
    public override ValueTask FlushAsync(FuseRequest request, NodeId node, FileHandle handle) => ValueTask.CompletedTask;

    /// <summary>The last descriptor closed: the VFS cancels the file's read-ahead.</summary>
    public override ValueTask ReleaseAsync(FuseRequest request, NodeId node, FileHandle handle)
    {
        _vfs.ReleaseFile(handle.Value);
        return ValueTask.CompletedTask;
    }
}

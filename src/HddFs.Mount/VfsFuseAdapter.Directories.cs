using HddFs.Fuse;
using HddFs.Vfs;

namespace HddFs.Mount;

// OPENDIR / READDIR / READDIRPLUS / RELEASEDIR over the VFS's directory snapshots.
internal sealed partial class VfsFuseAdapter
{
    // The smallest record the kernel's buffer can hold, to bound how many entries to ask the VFS for:
    // struct fuse_dirent is 24 bytes + the name, fuse_direntplus adds a 128-byte fuse_entry_out; records
    // are 8-byte aligned and a name has at least one byte (<linux/fuse.h>).
    private const int MinimumDirentSize = 24 + 8;
    private const int MinimumDirentPlusSize = 128 + 24 + 8;

    /// <summary>
    /// No FOPEN_CACHE_DIR: with it the kernel would keep serving a listing from its page cache until told
    /// otherwise (the VFS's 15 s listing freshness would no longer apply), and the cached listing has no
    /// attributes, so `ls -l` after the attribute timeout would cost a LOOKUP per entry instead of one
    /// READDIRPLUS pass over the VFS's cached listing.
    /// </summary>
    public override async ValueTask<FuseOpenResult> OpenDirAsync(FuseRequest request, NodeId node, int flags)
    {
        ThrowIfUnmounting(FuseOpcode.OpenDir, node);
        try
        {
            var handle = await _vfs.OpenDirectoryAsync(node.Value, request.CancellationToken).ConfigureAwait(false);
            return new FuseOpenResult(new FileHandle(handle));
        }
        catch (Exception e) when (ErrnoMap.TryTranslate(e, IsUnmounting, out var translated))
        {
            throw Failed(FuseOpcode.OpenDir, node, translated);
        }
    }

    /// <summary>
    /// Fills the kernel's buffer from the VFS's snapshot, "." and ".." included (offsets 1 and 2; they
    /// carry no lookup reference and go in without attributes). Lookup counting in READDIRPLUS mode: the
    /// VFS counted one lookup for every other entry it returned; the kernel takes over exactly those that
    /// fit into the buffer, and every entry that did not fit is given back with Forget(node, 1) before
    /// we answer. If filling fails, nothing reaches the kernel, so every entry is given back.
    /// </summary>
    public override async ValueTask ReadDirAsync(FuseRequest request, NodeId node, FileHandle handle, long offset, FuseDirectoryBuffer buffer)
    {
        var plus = buffer.IsPlus;
        ThrowIfUnmounting(plus ? FuseOpcode.ReadDirPlus : FuseOpcode.ReadDir, node);
        var maxEntries = Math.Max(1, buffer.Remaining / (plus ? MinimumDirentPlusSize : MinimumDirentSize));
        IReadOnlyList<VfsDirectoryEntry> entries;
        try
        {
            entries = plus
                ? await _vfs.ReadDirectoryPlusAsync(handle.Value, offset, maxEntries, request.CancellationToken).ConfigureAwait(false)
                : await _vfs.ReadDirectoryAsync(handle.Value, offset, maxEntries, request.CancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (ErrnoMap.TryTranslate(e, IsUnmounting, out var translated))
        {
            throw Failed(plus ? FuseOpcode.ReadDirPlus : FuseOpcode.ReadDir, node, translated);
        }

        var added = 0;
        try
        {
            while (added < entries.Count && TryAdd(buffer, entries[added]))
            {
                added++;
            }
        }
        catch
        {
            if (plus)
            {
                ForgetFrom(entries, 0);
            }

            throw;
        }

        if (plus)
        {
            ForgetFrom(entries, added);
        }
    }

    public override ValueTask ReleaseDirAsync(FuseRequest request, NodeId node, FileHandle handle)
    {
        _vfs.ReleaseDirectory(handle.Value);
        return ValueTask.CompletedTask;
    }

    private static bool TryAdd(FuseDirectoryBuffer buffer, in VfsDirectoryEntry entry)
    {
        if (IsDotOrDotDot(entry.Name))
        {
            return buffer.TryAdd(entry.Name, entry.NextOffset, entry.Entry.Node, FuseFileType.Directory);
        }

        var fuse = FuseConversions.ToFuse(entry.Entry);
        return buffer.TryAdd(entry.Name, entry.NextOffset, in fuse);
    }

    // Gives back the lookup references of entries [from, end) that the kernel will never see.
    private void ForgetFrom(IReadOnlyList<VfsDirectoryEntry> entries, int from)
    {
        for (var i = from; i < entries.Count; i++)
        {
            if (!IsDotOrDotDot(entries[i].Name))
            {
                _vfs.Forget(entries[i].Entry.Node, 1);
            }
        }
    }

    private static bool IsDotOrDotDot(string name) => name is "." or "..";
}

using HddFs.Fuse;
using HddFs.Vfs;
using Microsoft.Extensions.Logging;

namespace HddFs.Mount;

/// <summary>
/// The kernel's view of the <see cref="VirtualFileSystem"/>: one override per FUSE opcode, each a thin
/// translation (NodeIds and handles are the VFS's numbers unchanged). Every failure goes through
/// <see cref="ErrnoMap"/>; the binding answers mutating opcodes EROFS before they reach us.
/// </summary>
/// <remarks>
/// Threads: called on the binding's reader threads, concurrently (several reads on one handle
/// included); every method returns at once or with a pending ValueTask and never blocks a reader on
/// the network. The VFS is thread-safe, and the adapter keeps no mutable state besides counters
/// (Interlocked). Cancellation: every VFS call that can wait gets the request's token, which fires on
/// INTERRUPT (the caller got a signal) or at unmount; the VFS then fails with Interrupted → EINTR.
/// Invalidations are not sent from here: <see cref="InvalidationQueue"/> sends them from its own
/// thread, never from inside an operation.
/// </remarks>
internal sealed partial class VfsFuseAdapter : FuseFileSystem
{
    // access(2)'s W_OK.
    private const int WriteAccess = 2;

    // immutable
    private readonly VirtualFileSystem _vfs;
    private readonly ILogger _logger;
    private readonly TimeSpan _negativeEntryTimeout;
    private readonly bool _extendedAttributes;

    // 0 → 1 once when the mount starts to go away (Interlocked/Volatile)
    private int _unmounting;

    public VfsFuseAdapter(VirtualFileSystem vfs, bool extendedAttributes, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(vfs);
        ArgumentNullException.ThrowIfNull(logger);
        _vfs = vfs;
        _logger = logger;
        _negativeEntryTimeout = vfs.Options.NegativeEntryTimeout;
        _extendedAttributes = extendedAttributes;
    }

    public override void Init(FuseConnectionInfo connection)
        => _logger.Negotiated(connection.Minor, connection.MaxRead, connection.MaxReadahead, connection.MaxBackground, connection.ReadDirPlus);

    public override void Destroy() => _logger.SessionEnded();

    /// <summary>The mount is going away: from now on every request that could wait fails with EIO at
    /// once, and interrupted ones answer EIO instead of EINTR (see <see cref="ErrnoMap.Unmounting"/>),
    /// so processes still using the detached mount let go of it quickly. Call before unmounting.</summary>
    public void BeginUnmount() => Volatile.Write(ref _unmounting, 1);

    private bool IsUnmounting => Volatile.Read(ref _unmounting) != 0;

    public override async ValueTask<FuseEntry> LookupAsync(FuseRequest request, NodeId parent, string name)
    {
        ThrowIfUnmounting(FuseOpcode.Lookup, parent);
        try
        {
            // A missing name is a negative entry the kernel caches (programs probe for names that do not
            // exist all the time): null from the VFS, no exception on that path.
            var entry = await _vfs.TryLookupAsync(parent.Value, name, request.CancellationToken).ConfigureAwait(false);
            return entry is { } found ? FuseConversions.ToFuse(found) : FuseEntry.Negative(_negativeEntryTimeout);
        }
        catch (VfsException e) when (e.Error == VfsError.NotFound)
        {
            // The directory itself is gone (its peer left): its names are absent too.
            return FuseEntry.Negative(_negativeEntryTimeout);
        }
        catch (Exception e) when (ErrnoMap.TryTranslate(e, IsUnmounting, out var translated))
        {
            throw Failed(FuseOpcode.Lookup, parent, translated);
        }
    }

    /// <summary>FORGET and each item of BATCH_FORGET: the kernel's lookup references go back to the VFS
    /// (which never fails here, even after disposal).</summary>
    public override void Forget(NodeId node, ulong lookups) => _vfs.Forget(node.Value, lookups);

    public override async ValueTask<FuseAttributesResult> GetAttrAsync(FuseRequest request, NodeId node, FileHandle? handle)
    {
        ThrowIfUnmounting(FuseOpcode.GetAttr, node);
        try
        {
            var attributes = await _vfs.GetAttributesAsync(node.Value, request.CancellationToken).ConfigureAwait(false);
            return new FuseAttributesResult(FuseConversions.ToFuse(attributes), attributes.Timeout);
        }
        catch (Exception e) when (ErrnoMap.TryTranslate(e, IsUnmounting, out var translated))
        {
            throw Failed(FuseOpcode.GetAttr, node, translated);
        }
    }

    /// <summary>No node is a symbolic link (the kernel does not even ask for regular files and
    /// directories); readlink(2) of a non-link is EINVAL.</summary>
    public override ValueTask<string> ReadLinkAsync(FuseRequest request, NodeId node)
        => ValueTask.FromException<string>(ErrnoMap.Failure(VfsError.InvalidArgument, "hddfs exposes no symbolic links."));

    public override ValueTask<FuseStatFs> StatFsAsync(FuseRequest request, NodeId node)
    {
        try
        {
            return ValueTask.FromResult(FuseConversions.ToFuse(_vfs.GetFileSystemStatistics()));
        }
        catch (Exception e) when (ErrnoMap.TryTranslate(e, IsUnmounting, out var translated))
        {
            return ValueTask.FromException<FuseStatFs>(Failed(FuseOpcode.StatFs, node, translated));
        }
    }

    /// <summary>
    /// ACCESS only arrives when the mount is made without default_permissions (PartyMount uses it, so the
    /// kernel checks the 0444/0555 modes itself and sends nothing). Everything is readable and
    /// searchable by whoever may use the mount; asking for write access is EROFS (the binding also
    /// answers that before we are called).
    /// </summary>
    public override ValueTask AccessAsync(FuseRequest request, NodeId node, int mask)
        => (mask & WriteAccess) != 0
            ? ValueTask.FromException(ErrnoMap.Failure(VfsError.ReadOnly, "hddfs is read-only."))
            : ValueTask.CompletedTask;

    private void ThrowIfUnmounting(FuseOpcode operation, NodeId node)
    {
        if (IsUnmounting)
        {
            throw Failed(operation, node, ErrnoMap.Unmounting());
        }
    }

    private FuseException Failed(FuseOpcode operation, NodeId node, FuseException translated)
    {
        _logger.OperationFailed(operation, node.Value, translated.Errno, translated.Message);
        return translated;
    }
}

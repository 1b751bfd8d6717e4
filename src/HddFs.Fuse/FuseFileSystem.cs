namespace HddFs.Fuse;

/// <summary>
/// A read-only filesystem as the kernel sees it: one method per FUSE opcode (go-fuse's "raw" API).
/// Mutating opcodes (WRITE, SETATTR, CREATE, MKDIR, UNLINK, RENAME, SETXATTR, ...) never reach this
/// class: the binding answers them EROFS, as it does an OPEN for writing or an ACCESS asking W_OK.
/// </summary>
/// <remarks>
/// <para>Errors: an operation fails by throwing <see cref="FuseException"/> with an errno (a faulted
/// ValueTask counts as throwing). OperationCanceledException while <see cref="FuseRequest.CancellationToken"/>
/// is cancelled is answered EINTR. Any other exception is answered EIO and logged; nothing escapes to a
/// reader thread. Methods left unimplemented answer ENOSYS (the kernel then stops asking for some).</para>
/// <para>Threads: methods are called on a reader thread, concurrently for different requests (and, with
/// PARALLEL_DIROPS, for the same directory). They must return quickly: start the work and return a
/// pending ValueTask; its completion (on any thread) sends the reply. A ValueTask that never completes
/// leaves the calling process waiting until it is interrupted or the filesystem is unmounted: that is a
/// bug. Honour <see cref="FuseRequest.CancellationToken"/> for anything that can wait.</para>
/// <para>Timeouts in replies are how long the kernel may cache names and attributes without asking again;
/// 0 means ask every time (slow: `ls -l` of 10,000 entries took 2.9 s instead of 40 ms).</para>
/// </remarks>
public abstract class FuseFileSystem
{
    /// <summary>INIT completed. Called once, before any other method.</summary>
    public virtual void Init(FuseConnectionInfo connection)
    {
    }

    /// <summary>The session ended (unmounted, aborted or DESTROY). Called once, after which no method is called.</summary>
    public virtual void Destroy()
    {
    }

    /// <summary>LOOKUP: resolve <paramref name="name"/> in directory <paramref name="parent"/>. A positive
    /// answer gives the kernel one lookup reference on the node. Missing: throw ENOENT, or return
    /// <see cref="FuseEntry.Negative"/> to let the kernel cache the absence.</summary>
    public virtual ValueTask<FuseEntry> LookupAsync(FuseRequest request, NodeId parent, string name) => NotImplemented<FuseEntry>();

    /// <summary>FORGET / BATCH_FORGET: the kernel drops <paramref name="lookups"/> references on <paramref name="node"/>.
    /// When a node's count reaches 0 its NodeId may be reused. No reply; must not block.</summary>
    public virtual void Forget(NodeId node, ulong lookups)
    {
    }

    /// <summary>GETATTR. <paramref name="handle"/> is set when the kernel asks about an open file (fstat).</summary>
    public virtual ValueTask<FuseAttributesResult> GetAttrAsync(FuseRequest request, NodeId node, FileHandle? handle) => NotImplemented<FuseAttributesResult>();

    /// <summary>READLINK: the symbolic link's target.</summary>
    public virtual ValueTask<string> ReadLinkAsync(FuseRequest request, NodeId node) => NotImplemented<string>();

    /// <summary>OPEN of a file for reading (<paramref name="flags"/> are open(2)'s; never write access).
    /// The answer chooses the handle and caching: KeepCache, DirectIo.</summary>
    public virtual ValueTask<FuseOpenResult> OpenAsync(FuseRequest request, NodeId node, int flags) => ValueTask.FromResult(new FuseOpenResult(default));

    /// <summary>
    /// READ up to <c>destination.Length</c> bytes at <paramref name="offset"/>; returns how many were written
    /// to the front of <paramref name="destination"/>. Fewer bytes than asked means end of file (except with
    /// DirectIo, where it is what read(2) returns). Ownership: <paramref name="destination"/> is a pooled
    /// buffer lent until the returned ValueTask completes; never touch it afterwards (cancel and wait for
    /// any copy into it before completing).
    /// </summary>
    public virtual ValueTask<int> ReadAsync(FuseRequest request, NodeId node, FileHandle handle, long offset, Memory<byte> destination) => NotImplemented<int>();

    /// <summary>FLUSH (each close(2) of a descriptor). Nothing to do for a read-only file.</summary>
    public virtual ValueTask FlushAsync(FuseRequest request, NodeId node, FileHandle handle) => ValueTask.CompletedTask;

    /// <summary>RELEASE: the last descriptor of an open file closed; the handle is dead afterwards.</summary>
    public virtual ValueTask ReleaseAsync(FuseRequest request, NodeId node, FileHandle handle) => ValueTask.CompletedTask;

    /// <summary>OPENDIR. CacheDir lets the kernel keep the listing in its page cache; KeepCache keeps it across opens.</summary>
    public virtual ValueTask<FuseOpenResult> OpenDirAsync(FuseRequest request, NodeId node, int flags) => ValueTask.FromResult(new FuseOpenResult(default));

    /// <summary>READDIR / READDIRPLUS from cookie <paramref name="offset"/> (0 = start) into <paramref name="buffer"/>;
    /// add nothing at the end of the directory. See <see cref="FuseDirectoryBuffer"/> for lookup counting.</summary>
    public virtual ValueTask ReadDirAsync(FuseRequest request, NodeId node, FileHandle handle, long offset, FuseDirectoryBuffer buffer) => NotImplemented();

    /// <summary>RELEASEDIR.</summary>
    public virtual ValueTask ReleaseDirAsync(FuseRequest request, NodeId node, FileHandle handle) => ValueTask.CompletedTask;

    /// <summary>STATFS (df). The default reports an empty filesystem with 4 KiB blocks and 255-byte names.</summary>
    public virtual ValueTask<FuseStatFs> StatFsAsync(FuseRequest request, NodeId node)
        => ValueTask.FromResult(new FuseStatFs { BlockSize = 4096, FragmentSize = 4096, MaxNameLength = 255 });

    /// <summary>ACCESS (access(2), chdir) when mounted without default_permissions: <paramref name="mask"/> is
    /// R_OK=4 | X_OK=1 (W_OK is answered EROFS by the binding; 0 = F_OK). Throw EACCES to deny.</summary>
    public virtual ValueTask AccessAsync(FuseRequest request, NodeId node, int mask) => ValueTask.CompletedTask;

    /// <summary>GETXATTR: the whole value of attribute <paramref name="name"/>, or null when the node has no such
    /// attribute (answered ENODATA without the cost of an exception: `ls -l` asks for security.selinux on
    /// every entry). The binding implements the size protocol (size 0 = length probe, ERANGE when the
    /// caller's buffer is too small). Leaving this ENOSYS tells the kernel there are no xattrs at all, and
    /// it stops asking.</summary>
    public virtual ValueTask<byte[]?> GetXAttrAsync(FuseRequest request, NodeId node, string name) => NotImplemented<byte[]?>();

    /// <summary>LISTXATTR: the attribute names of the node (the binding encodes and size-checks them).</summary>
    public virtual ValueTask<IReadOnlyList<string>> ListXAttrAsync(FuseRequest request, NodeId node) => NotImplemented<IReadOnlyList<string>>();

    private static ValueTask<T> NotImplemented<T>() => ValueTask.FromException<T>(new FuseException(Errno.ENOSYS));

    private static ValueTask NotImplemented() => ValueTask.FromException(new FuseException(Errno.ENOSYS));
}

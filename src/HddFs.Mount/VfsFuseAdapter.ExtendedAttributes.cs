using HddFs.Fuse;
using HddFs.Vfs;

namespace HddFs.Mount;

// GETXATTR / LISTXATTR: the VFS's read-only user.hddfs.* attributes.
internal sealed partial class VfsFuseAdapter
{
    /// <summary>Every attribute the VFS exposes starts with this.</summary>
    internal const string AttributePrefix = "user.hddfs.";

    /// <summary>The only namespace with attributes at all.</summary>
    private const string UserNamespace = "user.";

    // atomics (diagnostics for tests and measurements)
    private long _getXAttrCalls;
    private long _listXAttrCalls;

    /// <summary>GETXATTR requests that reached the adapter.</summary>
    internal long GetXAttrCalls => Interlocked.Read(ref _getXAttrCalls);

    /// <summary>LISTXATTR requests that reached the adapter.</summary>
    internal long ListXAttrCalls => Interlocked.Read(ref _listXAttrCalls);

    /// <summary>
    /// The hot path is the miss. `ls -l` asks for security.selinux and system.posix_acl_access on every
    /// entry, and the kernel forwards both every time (measured: 20,000 GETXATTRs per `ls -l` of 10,000
    /// entries, warm or cold, ~0.4 s here). Names outside user.* get EOPNOTSUPP, which ls remembers per
    /// device, so it asks once per run (the one exception per run is cheaper than 20,000 round trips).
    /// A user.* name outside user.hddfs.* is answered null (ENODATA) synchronously without touching the
    /// VFS, and a user.hddfs.* name is checked against the node's list before asking for the value, so a
    /// miss there costs no exception either. With extended attributes turned off the binding's ENOSYS
    /// tells the kernel that there are none, and it stops asking altogether.
    /// </summary>
    public override ValueTask<byte[]?> GetXAttrAsync(FuseRequest request, NodeId node, string name)
    {
        if (!_extendedAttributes)
        {
            return base.GetXAttrAsync(request, node, name);
        }

        Interlocked.Increment(ref _getXAttrCalls);
        if (!name.StartsWith(UserNamespace, StringComparison.Ordinal))
        {
            return ValueTask.FromException<byte[]?>(ErrnoMap.UnsupportedAttributeNamespace(name));
        }

        if (!name.StartsWith(AttributePrefix, StringComparison.Ordinal))
        {
            return ValueTask.FromResult<byte[]?>(null);
        }

        try
        {
            return ValueTask.FromResult(Has(_vfs.ListExtendedAttributes(node.Value), name) ? _vfs.GetExtendedAttribute(node.Value, name) : null);
        }
        catch (Exception e) when (ErrnoMap.TryTranslate(e, IsUnmounting, out var translated))
        {
            return ValueTask.FromException<byte[]?>(Failed(FuseOpcode.GetXAttr, node, translated));
        }
    }

    public override ValueTask<IReadOnlyList<string>> ListXAttrAsync(FuseRequest request, NodeId node)
    {
        if (!_extendedAttributes)
        {
            return base.ListXAttrAsync(request, node);
        }

        Interlocked.Increment(ref _listXAttrCalls);
        try
        {
            return ValueTask.FromResult(_vfs.ListExtendedAttributes(node.Value));
        }
        catch (Exception e) when (ErrnoMap.TryTranslate(e, IsUnmounting, out var translated))
        {
            return ValueTask.FromException<IReadOnlyList<string>>(Failed(FuseOpcode.ListXAttr, node, translated));
        }
    }

    private static bool Has(IReadOnlyList<string> names, string name)
    {
        foreach (var candidate in names)
        {
            if (string.Equals(candidate, name, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}

using System.Text;
using static HddFs.Fuse.Interop;

namespace HddFs.Fuse;

/// <summary>
/// Notifications: messages the filesystem sends without a request (unique = 0, the notify code in the
/// error field). Safe from any thread once the session is initialized.
/// Deadlock rule (as in libfuse): never call these from inside an operation on the same node or
/// directory before it has completed — the kernel may hold that inode's lock until our answer, and
/// the notification waits for the same lock. Call them from outside request handling.
/// </summary>
public sealed partial class FuseSession
{
    /// <summary>
    /// FUSE_NOTIFY_INVAL_INODE: drop the kernel's cached attributes of <paramref name="node"/> and its cached
    /// pages in [offset, offset + length) (length 0 or less: to the end; offset negative: attributes only).
    /// Returns false if the kernel holds nothing for the node (or the session ended); throws
    /// <see cref="FuseException"/> if the kernel refused the message.
    /// </summary>
    public unsafe bool NotifyInvalidateInode(NodeId node, long offset, long length)
    {
        EnsureInitialized();
        var size = sizeof(fuse_out_header) + sizeof(fuse_notify_inval_inode_out);
        var message = stackalloc byte[size];
        *(fuse_out_header*)message = new fuse_out_header { len = (uint)size, error = FuseKernel.FUSE_NOTIFY_INVAL_INODE, unique = 0 };
        *(fuse_notify_inval_inode_out*)(message + sizeof(fuse_out_header)) = new fuse_notify_inval_inode_out { ino = node.Value, off = offset, len = length };
        return NotifyResult(Write(message, size), $"INVAL_INODE node={node} offset={offset} length={length}");
    }

    /// <summary>
    /// FUSE_NOTIFY_INVAL_ENTRY: forget the cached name <paramref name="name"/> in directory
    /// <paramref name="parent"/> (positive or negative), so the next access LOOKUPs it again.
    /// Returns false if the kernel holds nothing for it (or the session ended).
    /// </summary>
    public unsafe bool NotifyInvalidateEntry(NodeId parent, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        EnsureInitialized();
        var encoded = Encoding.UTF8.GetBytes(name);
        if (encoded.Length > FuseKernel.FUSE_NAME_MAX || encoded.AsSpan().IndexOfAny((byte)'/', (byte)0) >= 0)
        {
            throw new ArgumentException("Not a valid file name.", nameof(name));
        }

        var size = sizeof(fuse_out_header) + sizeof(fuse_notify_inval_entry_out) + encoded.Length + 1;
        var message = stackalloc byte[size];
        *(fuse_out_header*)message = new fuse_out_header { len = (uint)size, error = FuseKernel.FUSE_NOTIFY_INVAL_ENTRY, unique = 0 };
        *(fuse_notify_inval_entry_out*)(message + sizeof(fuse_out_header)) = new fuse_notify_inval_entry_out { parent = parent.Value, namelen = (uint)encoded.Length };
        var nameStart = sizeof(fuse_out_header) + sizeof(fuse_notify_inval_entry_out);
        encoded.CopyTo(new Span<byte>(message + nameStart, encoded.Length));
        message[size - 1] = 0;
        return NotifyResult(Write(message, size), $"INVAL_ENTRY parent={parent} name=\"{name}\"");
    }

    private void EnsureInitialized()
    {
        if (Volatile.Read(ref _connection) is null)
        {
            throw new InvalidOperationException("Notifications need an initialized session (INIT not completed).");
        }
    }

    private bool NotifyResult(Errno result, string what)
    {
        if (_log.IsTraceEnabled)
        {
            _log.Trace($"-> NOTIFY {what}: {(result == 0 ? "OK" : result.ToString())}");
        }

        return result switch
        {
            0 => true,
            Errno.ENOENT or Errno.ENODEV => false,
            _ => throw new FuseException(result, $"The kernel refused NOTIFY {what}: {result}."),
        };
    }
}

using HddFs.Core;

namespace HddFs.Peers.Rpc;

/// <summary>
/// Opens a byte range of a local shared file, the same way for the RPC server and for our own peer
/// folder: the path is resolved by <see cref="ILocalShares"/> (which never opens anything outside a
/// share), the range is clamped to the file's current length. The caller owns (disposes) the stream.
/// </summary>
internal static class ShareRange
{
    public static (FileStream File, long Offset, long Length) Open(ILocalShares shares, SharePath path, long offset, long length)
    {
        if (offset < 0 || length < 0)
        {
            throw new RemoteShareException(RemoteError.BadRange, $"Invalid range: offset {offset}, length {length}.");
        }

        var file = shares.OpenRead(path);
        try
        {
            var size = file.Length;
            if (offset > size)
            {
                throw new RemoteShareException(RemoteError.BadRange, $"Offset {offset} is past the end of {path} ({size} bytes).");
            }

            return (file, offset, Math.Min(length, size - offset));
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }
}

using HddFs.Core;

namespace HddFs.Vfs;

/// <summary>One version of one remote file as an open handle reads it: the node (whose current entry
/// tells whether the remote file changed since) and the cache key of the version the handle opened.</summary>
internal sealed record FetchTarget(Node Node, FileKey Key)
{
    public override string ToString() => Node.Key.ToString();
}

namespace HddFs.Core;

/// <summary>
/// Our own shares, as the RPC server and the local view need them. Implemented by HddFs.Shares.
/// Paths are resolved safely: nothing outside a share is ever opened.
/// </summary>
public interface ILocalShares
{
    /// <summary>Pages of at most <paramref name="pageSize"/> entries. Throws
    /// <see cref="RemoteShareException"/> (<see cref="RemoteError.NotFound"/>) for an unknown path.</summary>
    IAsyncEnumerable<IReadOnlyList<RemoteEntry>> ListAsync(LsQuery query, int pageSize, CancellationToken cancellationToken);

    /// <summary>The entry at <paramref name="path"/>, or null.</summary>
    RemoteEntry? GetEntry(SharePath path);

    /// <summary>Opens a shared file for reading (async, sequential). Throws
    /// <see cref="RemoteShareException"/> with NotFound, NotAFile or Forbidden.</summary>
    FileStream OpenRead(SharePath path);
}

namespace HddFs.Core;

/// <summary>
/// The shares of one peer as seen from here (remote peer over the network, or our own shares served
/// locally). This is the seam the VFS, the CLI and the downloader use; fakes live in HddFs.Testing.
/// Every failure surfaces as <see cref="RemoteShareException"/> (or <see cref="OperationCanceledException"/>
/// when the caller cancelled).
/// </summary>
public interface IRemoteShares
{
    PeerId Peer { get; }

    /// <summary>
    /// Streams the listing in pages. For a non-recursive listing of a directory, the entries are its
    /// direct children; the directory itself is not included. Listing a file yields that one entry.
    /// </summary>
    IAsyncEnumerable<IReadOnlyList<RemoteEntry>> ListAsync(LsQuery query, CancellationToken cancellationToken);

    /// <summary>
    /// Opens the byte range [offset, offset + length) of a file. The returned stream yields exactly
    /// the bytes the peer declared in its response header (fewer than asked only at end of file) and
    /// then 0; a transfer cut short throws <see cref="RemoteShareException"/>. The caller disposes it.
    /// </summary>
    ValueTask<RemoteRead> ReadAsync(SharePath path, long offset, long length, CancellationToken cancellationToken);
}

/// <summary>An open ranged read: the declared length, and the body. Disposing cancels the transfer.</summary>
public sealed class RemoteRead : IAsyncDisposable
{
    public RemoteRead(long length, Stream body)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Length = length;
        Body = body;
    }

    /// <summary>Bytes that will be delivered (the peer's header).</summary>
    public long Length { get; }

    public Stream Body { get; }

    public ValueTask DisposeAsync() => Body.DisposeAsync();
}

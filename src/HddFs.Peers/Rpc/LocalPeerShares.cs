using System.Runtime.CompilerServices;
using HddFs.Core;

namespace HddFs.Peers.Rpc;

/// <summary>Our own shares behind the same seam as a remote peer's (the mount's own folder, `hddfs ls` of self).</summary>
public sealed class LocalPeerShares(PeerId self, ILocalShares shares, int pageSize = 256) : IRemoteShares
{
    public PeerId Peer => self;

    public async IAsyncEnumerable<IReadOnlyList<RemoteEntry>> ListAsync(LsQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var page in shares.ListAsync(query, pageSize, cancellationToken))
        {
            yield return page;
        }
    }

    public ValueTask<RemoteRead> ReadAsync(SharePath path, long offset, long length, CancellationToken cancellationToken)
    {
        var (file, start, count) = ShareRange.Open(shares, path, offset, length);
        return ValueTask.FromResult(new RemoteRead(count, new FileRangeStream(file, start, count)));
    }
}

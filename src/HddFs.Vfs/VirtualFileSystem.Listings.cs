using HddFs.Core;

namespace HddFs.Vfs;

// Directory listings: served from the cache while fresh, refreshed with one coalesced RPC when stale,
// served stale while the peer is unreachable. Installing a refreshed listing updates the nodes and
// raises invalidations for what changed.
public sealed partial class VirtualFileSystem
{
    /// <summary>
    /// The listing of <paramref name="directory"/>: fresh from the cache, else refreshed (one RPC shared by
    /// concurrent callers). When the peer is unreachable or the refresh fails with an I/O error, the cached
    /// listing is served however old; without one the call fails with <see cref="VfsError.IoError"/>.
    /// </summary>
    private async ValueTask<DirectoryListing> GetListingAsync(NodeKey directory, CancellationToken cancellationToken)
    {
        var cached = _listings.TryGet(directory, _time.GetUtcNow(), out var fresh);
        if (cached is not null && fresh)
        {
            return cached;
        }

        if (!_view.TryGetById(directory.Peer, out _))
        {
            throw new VfsException(VfsError.NotFound, $"The peer of '{directory.Path}' left the party.");
        }

        if (Unreachable(directory.Peer) is { } reason)
        {
            return cached ?? throw new VfsException(VfsError.IoError, $"'{directory.Path}' is not cached and {reason}.");
        }

        var refresh = _listings.JoinOrStartRefresh(directory, out var owner);
        if (owner is not null)
        {
            _ = _background.Track(RefreshListingAsync(directory, owner));
        }

        try
        {
            return await refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (cancellationToken.IsCancellationRequested)
        {
            throw new VfsException(VfsError.Interrupted, "Interrupted.", e);
        }
        catch (VfsException e) when (e.Error == VfsError.IoError && cached is not null)
        {
            _logger.ServingStaleListing(directory, e.Message);
            return cached;
        }
        catch (VfsException e)
        {
            throw new VfsException(e.Error, e.Message, e);
        }
        catch (OperationCanceledException e)
        {
            ThrowIfDisposed();
            throw new VfsException(VfsError.IoError, "The listing was cancelled.", e);
        }
    }

    // The one refresh in flight for a directory (registered by JoinOrStartRefresh). Runs detached from
    // any caller's cancellation, under its own deadline; always completes `owner`.
    private async Task<bool> RefreshListingAsync(NodeKey directory, TaskCompletionSource<DirectoryListing> owner)
    {
        await Task.Yield(); // never run a peer's code on the caller's thread or under its locks
        DirectoryListing? listing = null;
        VfsException? failure = null;
        using (var deadline = new ProgressDeadline(_options.RequestTimeout, _time, _disposing.Token))
        {
            try
            {
                var shares = _party.GetShares(directory.Peer)
                    ?? throw new VfsException(VfsError.NotFound, $"The peer of '{directory.Path}' left the party.");
                var result = await ListingReader.ReadAsync(shares, directory.Path, _options.MaxDirectoryEntries, deadline).ConfigureAwait(false);
                if (result.Invalid > 0)
                {
                    _logger.InvalidEntries(directory, result.Invalid);
                }

                var entries = result.SortedEntries;
                var inos = new ulong[entries.Length];
                for (var i = 0; i < entries.Length; i++)
                {
                    inos[i] = _nodes.Numbering.Primary(new NodeKey(directory.Peer, entries[i].Path));
                }

                _nodes.ResolveInos(directory.Peer, entries, inos);
                listing = new DirectoryListing(directory, entries, result.SortedNames, inos);
                _health.ReportSuccess(directory.Peer);
                _logger.Listed(directory, entries.Length);
            }
            catch (Exception ex)
            {
                failure = TranslateListingFailure(ex, deadline, directory);
            }
        }

        var gone = failure?.Error is VfsError.NotFound or VfsError.NotADirectory;
        var previous = _listings.Complete(directory, owner, listing, _time.GetUtcNow() + _options.ListingTtl, gone);
        if (listing is null)
        {
            owner.TrySetException(failure!);
            _ = owner.Task.Exception; // observed: waiters that gave up must not leave it unobserved
            return false;
        }

        List<VfsInvalidation> invalidations = [];
        _nodes.ApplyListing(directory, listing, previous, invalidations);
        Raise(invalidations);
        owner.TrySetResult(listing);
        return true;
    }

    private VfsException TranslateListingFailure(Exception ex, ProgressDeadline deadline, NodeKey directory)
    {
        switch (ex)
        {
            case OperationCanceledException when deadline.Expired:
                _health.ReportTimeout(directory.Peer);
                _logger.PeerTimedOut(PeerName.Display(directory.Peer), _options.FailFastPeriod);
                return new VfsException(VfsError.IoError, $"Listing '{directory.Path}': the peer did not answer within {_options.RequestTimeout.TotalSeconds:0.###} s.", ex);
            case OperationCanceledException:
                return new VfsException(VfsError.IoError, "The mount is closing.", ex);
            case VfsException vfs:
                if (vfs.Error == VfsError.NotADirectory)
                {
                    _listings.Expire(directory.Parent);
                }

                return vfs;
            case RemoteShareException { Error: RemoteError.NotFound } remote:
                _listings.Expire(directory.Parent);
                return new VfsException(VfsError.NotFound, $"'{directory.Path}' no longer exists on the peer.", remote);
            case RemoteShareException { Error: RemoteError.NotAFile } remote:
                _listings.Expire(directory.Parent);
                return new VfsException(VfsError.NotADirectory, $"'{directory.Path}' is not a directory on the peer.", remote);
            case RemoteShareException { Error: RemoteError.Timeout } remote:
                _health.ReportTimeout(directory.Peer);
                _logger.PeerTimedOut(PeerName.Display(directory.Peer), _options.FailFastPeriod);
                return new VfsException(VfsError.IoError, remote.Message, remote);
            default:
                _logger.RemoteCallFailed("ls", directory, ex.Message);
                return new VfsException(VfsError.IoError, $"Listing '{directory.Path}' failed: {ex.Message}", ex);
        }
    }
}

using HddFs.Core;

namespace HddFs.Protocol;

/// <summary>
/// Checks the frames answering one <see cref="LsRequest"/>, in order, as the requester reads them:
/// pages whose entries all lie where the request asked (under the path by whole components; direct
/// children only when neither recursive nor a search), then an <see cref="LsEnd"/> whose count matches, or an
/// <see cref="ErrorResponse"/>. A stream ending before LsEnd was cut short. Single-threaded; one per request.
/// </summary>
public sealed class LsResponseSequence
{
    private readonly LsRequest _request;

    public LsResponseSequence(LsRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        _request = request;
    }

    /// <summary>Entries accepted so far.</summary>
    public ulong EntriesReceived { get; private set; }

    /// <summary>True once <see cref="LsEnd"/> was accepted; the requester may stop reading.</summary>
    public bool IsComplete { get; private set; }

    /// <summary>
    /// Feeds the next message read from the stream (null for end of stream). Returns the page's
    /// entries, or null when the listing completed with a matching <see cref="LsEnd"/>. Throws
    /// <see cref="RemoteShareException"/> for an <see cref="ErrorResponse"/> from the peer and
    /// <see cref="ProtocolException"/> for anything out of place.
    /// </summary>
    public IReadOnlyList<RemoteEntry>? Accept(Message? message)
    {
        if (IsComplete)
        {
            throw new InvalidOperationException("The listing already ended.");
        }

        switch (message)
        {
            case LsPage page:
                for (var i = 0; i < page.Entries.Count; i++)
                {
                    if (!IsInPlace(page.Entries[i].Path))
                    {
                        throw new ProtocolException(
                            ProtocolErrorKind.InvalidField,
                            $"Listing entry {EntriesReceived + (ulong)i} lies outside what was asked for.");
                    }
                }

                EntriesReceived += (ulong)page.Entries.Count;
                return page.Entries;

            case LsEnd end when end.TotalEntries == EntriesReceived:
                IsComplete = true;
                return null;

            case LsEnd end:
                throw new ProtocolException(
                    ProtocolErrorKind.InvalidField,
                    $"Listing declares {end.TotalEntries} entries but carried {EntriesReceived}.");

            case ErrorResponse error:
                throw ErrorCodes.ToException(error);

            case null:
                throw new ProtocolException(ProtocolErrorKind.Truncated, $"Listing ended after {EntriesReceived} entries without LsEnd.");

            default:
                throw new ProtocolException(ProtocolErrorKind.UnexpectedMessage, $"{message.Type} in a listing.");
        }
    }

    private bool IsInPlace(SharePath path)
        => _request.Recursive || _request.Search is not null
            ? path.IsSameOrUnder(_request.Path)
            : path == _request.Path || (!path.IsRoot && path.Parent == _request.Path);
}

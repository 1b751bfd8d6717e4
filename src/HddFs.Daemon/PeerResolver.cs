using HddFs.Core;
using HddFs.Daemon.Control;

namespace HddFs.Daemon;

/// <summary>Finds a peer from what a user types: full key, display name, "name-fingerprint", a unique
/// prefix of a display name, or a unique key prefix.</summary>
public static class PeerResolver
{
    public static PeerId Resolve(string text, IReadOnlyList<PeerInfo> peers)
    {
        ArgumentNullException.ThrowIfNull(peers);
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new ControlException(ControlError.BadRequest, "Name a peer: its name, a key prefix, or its key. See `hddfs peers`.");
        }

        if (PeerId.TryParse(text, out var exact))
        {
            return peers.Any(p => p.Id == exact)
                ? exact
                : throw new ControlException(ControlError.UnknownPeer, $"No peer with key {text} in the party.");
        }

        var byName = peers.Where(p => string.Equals(p.Name, text, StringComparison.OrdinalIgnoreCase)).ToList();
        if (byName.Count == 1)
        {
            return byName[0].Id;
        }

        if (byName.Count > 1)
        {
            throw Ambiguous(text, byName);
        }

        // "brave-otter-1a2b3c4d", as the mount names colliding peers.
        var dash = text.LastIndexOf('-');
        if (dash > 0 && text.Length - dash - 1 >= 8)
        {
            var name = text[..dash];
            var prefix = text[(dash + 1)..];
            var both = peers.Where(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase) && p.Id.HasHexPrefix(prefix)).ToList();
            if (both.Count == 1)
            {
                return both[0].Id;
            }
        }

        // A unique prefix of a display name ("mellow" for "mellow-peacock").
        var byNamePrefix = peers.Where(p => p.Name.StartsWith(text, StringComparison.OrdinalIgnoreCase)).ToList();
        if (byNamePrefix.Count == 1)
        {
            return byNamePrefix[0].Id;
        }

        if (text.All(Uri.IsHexDigit))
        {
            var byPrefix = peers.Where(p => p.Id.HasHexPrefix(text)).ToList();
            if (byPrefix.Count == 1)
            {
                return byPrefix[0].Id;
            }

            if (byPrefix.Count > 1)
            {
                throw Ambiguous(text, byPrefix);
            }
        }

        throw new ControlException(ControlError.UnknownPeer, $"No peer named '{text}' in the party. See `hddfs peers`.");
    }

    private static ControlException Ambiguous(string text, IEnumerable<PeerInfo> matches)
        => new(ControlError.AmbiguousPeer, $"'{text}' matches several peers: {string.Join(", ", matches.Select(p => PeerName.Display(p.Id)))}. Use a longer key prefix.");
}

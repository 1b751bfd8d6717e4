using HddFs.Core;

namespace HddFs.Vfs;

/// <summary>An immutable snapshot of the visible peers as root directories, rebuilt when the party
/// changes. Shared freely between threads.</summary>
internal sealed class PartyView
{
    private readonly Dictionary<string, PeerDirectory> _byName;
    private readonly Dictionary<PeerId, PeerDirectory> _byId;

    private PartyView(IReadOnlyList<PeerDirectory> sorted)
    {
        Sorted = sorted;
        _byName = sorted.ToDictionary(d => d.Name, StringComparer.Ordinal);
        _byId = sorted.ToDictionary(d => d.Id);
    }

    public static PartyView Empty { get; } = new([]);

    /// <summary>Peer directories ordered by name (ordinal).</summary>
    public IReadOnlyList<PeerDirectory> Sorted { get; }

    public static PartyView From(IReadOnlyList<PeerInfo> peers) => new(PeerNaming.Assign(peers));

    public bool TryGetByName(string name, out PeerDirectory peer) => _byName.TryGetValue(name, out peer!);

    public bool TryGetById(PeerId id, out PeerDirectory peer) => _byId.TryGetValue(id, out peer!);
}

using HddFs.Core;

namespace HddFs.Vfs;

/// <summary>What a node stands for: a path in one peer's shares (the empty path is the peer's own
/// directory, whose children are its shares). The mount root has no key.</summary>
internal readonly record struct NodeKey(PeerId Peer, SharePath Path)
{
    public NodeKey Parent => new(Peer, Path.Parent);

    public NodeKey Child(string name) => new(Peer, Path.Child(name));

    public override string ToString() => $"{Peer.Fingerprint}:/{Path}";
}

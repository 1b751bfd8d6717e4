using HddFs.Core;

namespace HddFs.Vfs;

/// <summary>A peer as a directory of the mount root: the peer and the unique name it is shown under.</summary>
internal sealed record PeerDirectory(PeerInfo Info, string Name)
{
    public PeerId Id => Info.Id;
}

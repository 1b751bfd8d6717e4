namespace HddFs.Protocol;

/// <summary>Which side of a connection computed a <see cref="TopicProof"/>; part of the MAC input so
/// a proof cannot be reflected back to the peer that sent it.</summary>
public enum HelloRole
{
    /// <summary>The side that opened the QUIC connection.</summary>
    Client = 0,

    /// <summary>The side that accepted it.</summary>
    Server = 1,
}

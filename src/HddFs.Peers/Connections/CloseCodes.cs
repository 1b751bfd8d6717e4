namespace HddFs.Peers.Connections;

/// <summary>QUIC application error codes used when hddfs closes a connection.</summary>
public static class CloseCodes
{
    public const long Normal = 0;

    /// <summary>No topic in common (or no valid proof): the peer is not admitted.</summary>
    public const long NotAdmitted = 1;

    /// <summary>Both sides dialed; this one lost the tie-break.</summary>
    public const long Duplicate = 2;

    /// <summary>The hello exchange broke the protocol or timed out.</summary>
    public const long HelloFailed = 3;

    /// <summary>The daemon is shutting down or left the topics shared with the peer.</summary>
    public const long GoingAway = 4;
}

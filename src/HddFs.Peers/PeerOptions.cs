namespace HddFs.Peers;

/// <summary>Tunables of the peer layer. Defaults are what the daemon uses.</summary>
public sealed record PeerOptions
{
    /// <summary>ALPN of the hddfs protocol, version 1.</summary>
    public const string ApplicationProtocol = "hddfs/1";

    /// <summary>Deadline for opening a stream and receiving the answer's first frame; also the longest
    /// a transfer may stall between two chunks.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Deadline for dialing and the hello exchange.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Requests from one peer served at once (QUIC stream credit bounds the rest).</summary>
    public int MaxConcurrentRequestsPerPeer { get; init; } = 32;

    /// <summary>Entries per listing page on the wire.</summary>
    public int ListingPageSize { get; init; } = 256;

    /// <summary>Chunk size for streaming file bytes (one pooled buffer per transfer).</summary>
    public int TransferChunkSize { get; init; } = 256 * 1024;

    /// <summary>How long a disconnected peer stays visible (cached data keeps being served).</summary>
    public TimeSpan DepartedPeerGrace { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>First and longest wait between reconnection attempts (exponential, with jitter).</summary>
    public TimeSpan ReconnectInitialDelay { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan ReconnectMaxDelay { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The peer with the larger key waits this long for the smaller one to dial first.</summary>
    public TimeSpan TieBreakDelay { get; init; } = TimeSpan.FromSeconds(2);
}

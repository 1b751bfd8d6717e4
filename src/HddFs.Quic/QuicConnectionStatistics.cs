namespace HddFs.Quic;

/// <summary>A snapshot of a connection's transport state.</summary>
public readonly record struct QuicConnectionStatistics(
    TimeSpan SmoothedRtt,
    TimeSpan MinRtt,
    long CongestionWindow,
    long BytesInFlight,
    long DatagramsSent,
    long DatagramsReceived,
    long ProbeTimeouts);

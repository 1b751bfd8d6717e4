namespace HddFs.Quic;

/// <summary>Congestion controllers of ngtcp2 0.12.</summary>
public enum QuicCongestionControl
{
    Reno = 0,
    Cubic = 1,
    Bbr = 2,
    Bbr2 = 3,
}

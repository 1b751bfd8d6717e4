using System.Net;

namespace HddFs.Quic;

/// <summary>A UDP datagram that arrived on the endpoint's socket and is not QUIC (its first byte has the
/// fixed bit 0x40 clear), e.g. STUN or hole-punching traffic. Nothing about it is verified.</summary>
public readonly record struct ReceivedDatagram(IPEndPoint From, ReadOnlyMemory<byte> Data);

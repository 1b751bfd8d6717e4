using System.Net;
using System.Threading.Channels;

namespace HddFs.Discovery.Stun;

/// <summary>One received UDP datagram.</summary>
public readonly record struct Datagram(IPEndPoint From, ReadOnlyMemory<byte> Data);

/// <summary>
/// The UDP socket STUN runs over. The daemon implements it on the QUIC endpoint's socket (so the
/// mapped address STUN learns is the one peers must use): the binding hands over the datagrams that
/// are not QUIC — STUN's first byte has the two top bits clear (RFC 7983 demultiplexing), see
/// <see cref="StunClient.IsStunMessage"/> — and sends raw datagrams. <see cref="UdpDatagramTransport"/>
/// is a plain socket implementation.
/// </summary>
public interface IDatagramTransport
{
    /// <summary>The bound local endpoint (its port decides "no NAT"), or null if unknown.</summary>
    IPEndPoint? LocalEndPoint { get; }

    /// <summary>Received datagrams; bounded by the implementation (old ones dropped when full).</summary>
    ChannelReader<Datagram> Received { get; }

    ValueTask SendAsync(IPEndPoint destination, ReadOnlyMemory<byte> datagram, CancellationToken cancellationToken);
}

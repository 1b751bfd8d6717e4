using System.Net;

namespace HddFs.Quic;

/// <summary>Configuration of a <see cref="QuicEndpoint"/>: one UDP socket that both dials and accepts.</summary>
public sealed class QuicEndpointOptions
{
    /// <summary>The default <see cref="MaxLocalDatagramSize"/>: the largest UDP payload over IPv4.</summary>
    public const int DefaultMaxLocalDatagramSize = MaxDatagramSize;

    /// <summary>Environment variable that, set to a valid size (0 included), replaces <see cref="MaxLocalDatagramSize"/>
    /// for every endpoint of the process and of the processes it starts.</summary>
    public const string MaxLocalDatagramSizeVariable = "HDDFS_QUIC_MAX_LOCAL_DATAGRAM_SIZE";

    private const int MinDatagramSize = 1200;  // the smallest QUIC allows (RFC 9000 14.1)
    private const int MaxDatagramSize = 65507; // 65535 minus the IPv4 and UDP headers

    /// <summary>Address to bind. Port 0 picks an ephemeral port; <see cref="IPAddress.IPv6Any"/> is dual-stack
    /// (IPv4 peers appear with their IPv4 address).</summary>
    public required IPEndPoint LocalEndPoint { get; init; }

    /// <summary>Our X.509 certificate, PEM. For peers using this library: self-signed Ed25519.</summary>
    public required string CertificatePem { get; init; }

    /// <summary>The certificate's private key, PKCS#8 PEM (RFC 8410 for Ed25519).</summary>
    public required string PrivateKeyPem { get; init; }

    /// <summary>The one ALPN protocol this endpoint speaks, e.g. "hddfs/1". A peer without it fails the handshake.</summary>
    public required string ApplicationProtocol { get; init; }

    /// <summary>Accept incoming connections (otherwise they are refused with CONNECTION_REFUSED).</summary>
    public bool AcceptIncomingConnections { get; init; } = true;

    /// <summary>Called with the peer's raw 32-byte Ed25519 key after its certificate was checked (exactly one
    /// certificate, Ed25519, valid self-signature); false fails the handshake. Null accepts any such certificate.
    /// Runs on the endpoint's I/O thread inside the TLS handshake: it must be quick and must not call into this
    /// endpoint, its connections or streams (that would deadlock).</summary>
    public Func<ReadOnlyMemory<byte>, bool>? ValidatePeerKey { get; init; }

    /// <summary>As a server, require a client certificate (default). When false a client without certificate is
    /// accepted and its <see cref="QuicConnection.PeerPublicKey"/> is empty; a certificate that is presented is still
    /// checked.</summary>
    public bool RequireClientCertificate { get; init; } = true;

    /// <summary>Close a connection after this long without hearing from the peer (the smaller of both sides'
    /// values applies).</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Send a PING when the connection has been quiet this long; <see cref="TimeSpan.Zero"/> disables.</summary>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>BBR by default: it keeps its rate under random loss (Wi-Fi, home uplinks) where CUBIC collapses
    /// (5% loss: under 1 s vs 4–5 s for 24 MiB). On a clean loopback CUBIC is 1.2–1.4× faster (native-notes/quic.md).</summary>
    public QuicCongestionControl CongestionControl { get; init; } = QuicCongestionControl.Bbr;

    /// <summary>Streams the peer may have open towards us at once (bidirectional).</summary>
    public int MaxInboundBidirectionalStreams { get; init; } = 256;

    /// <summary>Streams the peer may have open towards us at once (unidirectional).</summary>
    public int MaxInboundUnidirectionalStreams { get; init; }

    /// <summary>Connections on this endpoint, dialled and accepted; more incoming ones are refused.</summary>
    public int MaxConnections { get; init; } = 1024;

    /// <summary>Receive window of a stream at start. ngtcp2 doubles it (up to <see cref="MaxStreamReceiveWindow"/>)
    /// when the application drains it within two round trips.</summary>
    public int InitialStreamReceiveWindow { get; init; } = 256 * 1024;

    public int MaxStreamReceiveWindow { get; init; } = 16 * 1024 * 1024;

    /// <summary>Receive window of a connection at start; auto-tuned up to <see cref="MaxConnectionReceiveWindow"/>.</summary>
    public int InitialConnectionReceiveWindow { get; init; } = 1024 * 1024;

    public int MaxConnectionReceiveWindow { get; init; } = 24 * 1024 * 1024;

    /// <summary>Bytes a stream may hold written but not yet acknowledged; beyond it <see cref="QuicStream.WriteAsync(ReadOnlyMemory{byte}, CancellationToken)"/>
    /// waits (backpressure).</summary>
    public int StreamSendBufferSize { get; init; } = 4 * 1024 * 1024;

    /// <summary>The same bound summed over all streams of a connection.</summary>
    public int ConnectionSendBufferSize { get; init; } = 16 * 1024 * 1024;

    /// <summary>SO_RCVBUF / SO_SNDBUF (forced beyond the system limit when running as root).</summary>
    public int SocketBufferSize { get; init; } = 8 * 1024 * 1024;

    /// <summary>Largest UDP datagram (QUIC packet) sent to an address of this host, e.g. another process on 127.0.0.1.
    /// The kernel routes such a path over the loopback device (MTU 64 KiB), so once the handshake is done packets grow
    /// to this size, capped by the route's MTU: per-packet work (framing, encryption calls, acknowledgements, system
    /// calls) is what limits QUIC on loopback, and large packets cut it tenfold. Paths to other hosts always use the
    /// standard size (at most 1452 bytes after path MTU discovery). 1200 to 65507; 0 means the standard size
    /// everywhere. <see cref="MaxLocalDatagramSizeVariable"/> overrides it (e.g. to emulate a WAN through a relay on
    /// 127.0.0.1).</summary>
    public int MaxLocalDatagramSize { get; init; } = DefaultMaxLocalDatagramSize;

    /// <summary>Batch outgoing packets with UDP_SEGMENT (GSO).</summary>
    public bool UseGso { get; init; } = true;

    /// <summary>Receive coalesced packets with UDP_GRO.</summary>
    public bool UseGro { get; init; } = true;

    /// <summary>Read and write ECN bits (IP_RECVTOS / IP_TOS).</summary>
    public bool UseEcn { get; init; } = true;

    /// <summary>Secret from which stateless reset tokens are derived (32 bytes). An endpoint restarted on the same
    /// address with the same secret tells peers of the old one at once that their connection is gone. Empty: random.</summary>
    public ReadOnlyMemory<byte> StatelessResetKey { get; init; }

    /// <summary>Capacity of <see cref="QuicEndpoint.NonQuicDatagrams"/>; the oldest datagram is dropped when full.</summary>
    public int NonQuicDatagramCapacity { get; init; } = 1024;

    internal static bool IsValidLocalDatagramSize(int size) => size == 0 || size is >= MinDatagramSize and <= MaxDatagramSize;

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(LocalEndPoint);
        ArgumentException.ThrowIfNullOrEmpty(CertificatePem);
        ArgumentException.ThrowIfNullOrEmpty(PrivateKeyPem);
        ArgumentException.ThrowIfNullOrEmpty(ApplicationProtocol);
        if (System.Text.Encoding.UTF8.GetByteCount(ApplicationProtocol) > 255)
        {
            throw new ArgumentException("The application protocol is longer than 255 bytes.", nameof(ApplicationProtocol));
        }

        if (!StatelessResetKey.IsEmpty && StatelessResetKey.Length != 32)
        {
            throw new ArgumentException("The stateless reset key must be 32 bytes.", nameof(StatelessResetKey));
        }

        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(IdleTimeout, TimeSpan.Zero, nameof(IdleTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(KeepAliveInterval, TimeSpan.Zero, nameof(KeepAliveInterval));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(HandshakeTimeout, TimeSpan.Zero, nameof(HandshakeTimeout));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxInboundBidirectionalStreams, nameof(MaxInboundBidirectionalStreams));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxInboundUnidirectionalStreams, nameof(MaxInboundUnidirectionalStreams));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxConnections, 1, nameof(MaxConnections));
        ArgumentOutOfRangeException.ThrowIfLessThan(InitialStreamReceiveWindow, 1024, nameof(InitialStreamReceiveWindow));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxStreamReceiveWindow, InitialStreamReceiveWindow, nameof(MaxStreamReceiveWindow));
        ArgumentOutOfRangeException.ThrowIfLessThan(InitialConnectionReceiveWindow, 1024, nameof(InitialConnectionReceiveWindow));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxConnectionReceiveWindow, InitialConnectionReceiveWindow, nameof(MaxConnectionReceiveWindow));
        ArgumentOutOfRangeException.ThrowIfLessThan(StreamSendBufferSize, 1024, nameof(StreamSendBufferSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(ConnectionSendBufferSize, StreamSendBufferSize, nameof(ConnectionSendBufferSize));
        ArgumentOutOfRangeException.ThrowIfNegative(SocketBufferSize, nameof(SocketBufferSize));
        if (!IsValidLocalDatagramSize(MaxLocalDatagramSize))
        {
            throw new ArgumentOutOfRangeException(nameof(MaxLocalDatagramSize), MaxLocalDatagramSize,
                $"Must be 0 or from {MinDatagramSize} to {MaxDatagramSize}.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(NonQuicDatagramCapacity, 1, nameof(NonQuicDatagramCapacity));
    }
}

namespace HddFs.Quic;

/// <summary>Why a QUIC operation failed (<see cref="QuicException.Error"/>).</summary>
public enum QuicError
{
    /// <summary>A failure inside this library or the native stack (out of memory, unexpected state).</summary>
    InternalError,

    /// <summary>The peer refused the connection (CONNECTION_REFUSED, its connection limit, or ICMP port unreachable).</summary>
    ConnectionRefused,

    /// <summary>The TLS handshake failed for a reason other than authentication (e.g. no common ALPN).</summary>
    HandshakeFailed,

    /// <summary>A certificate or key was rejected: ours by the peer, or the peer's by us.</summary>
    PeerAuthenticationFailed,

    /// <summary>The handshake did not complete within <see cref="QuicEndpointOptions.HandshakeTimeout"/>.</summary>
    ConnectionTimeout,

    /// <summary>Nothing was heard from the peer for the idle timeout (the peer vanished).</summary>
    ConnectionIdle,

    /// <summary>The peer closed the connection; <see cref="QuicException.ApplicationErrorCode"/> holds its code.</summary>
    ConnectionAborted,

    /// <summary>This side closed the connection (<see cref="QuicConnection.CloseAsync"/> or disposal).</summary>
    ConnectionClosedLocally,

    /// <summary>The peer aborted the stream (RESET_STREAM or STOP_SENDING); the code is in
    /// <see cref="QuicException.ApplicationErrorCode"/> when known.</summary>
    StreamAborted,

    /// <summary>The operation was abandoned locally: the stream direction was aborted, or the endpoint disposed.</summary>
    OperationAborted,

    /// <summary>The local address is already in use.</summary>
    AddressInUse,

    /// <summary>The peer's host or network is unreachable.</summary>
    HostUnreachable,

    /// <summary>The peer violated the QUIC protocol, or closed with a transport error.</summary>
    ProtocolError,

    /// <summary>The peer answered with a stateless reset: it no longer has the connection (it restarted).</summary>
    ConnectionReset,
}

using System.Globalization;
using System.Runtime.InteropServices;
using static HddFs.Quic.Interop.HddFsQuic;

namespace HddFs.Quic;

/// <summary>The one map from native statuses and close reasons to exceptions.</summary>
internal static class ThrowHelper
{
    private const int EADDRINUSE = 98;
    private const int EADDRNOTAVAIL = 99;
    private const int ENETUNREACH = 101;
    private const int EHOSTUNREACH = 113;

    /// <summary>Why a connection closed, from an HQ_EV_CONN_CLOSED event.</summary>
    public static QuicException CloseReason(int kind, ulong code, int liberr)
    {
        var c = (long)code;
        return kind switch
        {
            HQ_CLOSE_LOCAL_APP => new QuicException(QuicError.ConnectionClosedLocally,
                $"The connection was closed locally with application error code {c}.", applicationErrorCode: c),
            HQ_CLOSE_PEER_APP => new QuicException(QuicError.ConnectionAborted,
                $"The peer closed the connection with application error code {c}.", applicationErrorCode: c),
            HQ_CLOSE_PEER_TRANSPORT => PeerTransportClose(c),
            HQ_CLOSE_IDLE => new QuicException(QuicError.ConnectionIdle, "The connection timed out: nothing was heard from the peer for the idle timeout."),
            HQ_CLOSE_HANDSHAKE_TIMEOUT => new QuicException(QuicError.ConnectionTimeout, "The QUIC handshake did not complete in time."),
            HQ_CLOSE_STATELESS_RESET => new QuicException(QuicError.ConnectionReset, "The peer reset the connection (stateless reset): it no longer knows it."),
            HQ_CLOSE_AUTH_FAILED => new QuicException(QuicError.PeerAuthenticationFailed,
                "The peer's certificate or key was rejected (one self-signed Ed25519 certificate with the expected key is required).", transportErrorCode: c),
            HQ_CLOSE_TLS_FAILED => new QuicException(QuicError.HandshakeFailed, $"The TLS handshake failed (transport error 0x{c:x}).", transportErrorCode: c),
            HQ_CLOSE_ALPN => new QuicException(QuicError.HandshakeFailed, "The peer does not speak our application protocol (ALPN).", transportErrorCode: c),
            HQ_CLOSE_PROTOCOL => new QuicException(QuicError.ProtocolError,
                $"QUIC protocol error ({NgtcpError(liberr)}), transport error 0x{c:x}.", transportErrorCode: c),
            HQ_CLOSE_SHUTDOWN => new QuicException(QuicError.OperationAborted, "The endpoint was disposed."),
            HQ_CLOSE_UNREACHABLE => new QuicException(QuicError.HostUnreachable, "The peer's host or network is unreachable (ICMP)."),
            HQ_CLOSE_REFUSED => new QuicException(QuicError.ConnectionRefused, "Nothing listens on the peer's port (ICMP port unreachable)."),
            _ => new QuicException(QuicError.InternalError, $"The connection failed inside the QUIC stack ({NgtcpError(liberr)})."),
        };
    }

    private static QuicException PeerTransportClose(long code)
    {
        if (code == 0x2)
        {
            return new QuicException(QuicError.ConnectionRefused, "The peer refused the connection.", transportErrorCode: code);
        }

        if (code is >= 0x100 and <= 0x1ff)
        {
            var alert = code - 0x100;
            // bad_certificate, unsupported_certificate, certificate_revoked/expired/unknown, unknown_ca, access_denied,
            // certificate_required: the peer did not accept our identity.
            return alert is 42 or 43 or 44 or 45 or 46 or 48 or 49 or 116
                ? new QuicException(QuicError.PeerAuthenticationFailed, $"The peer rejected our certificate (TLS alert {alert}).", transportErrorCode: code)
                : new QuicException(QuicError.HandshakeFailed, $"The peer failed the TLS handshake (TLS alert {alert}).", transportErrorCode: code);
        }

        return code == 0
            ? new QuicException(QuicError.ConnectionAborted, "The peer closed the connection.", transportErrorCode: code)
            : new QuicException(QuicError.ProtocolError, $"The peer closed the connection with transport error 0x{code:x}.", transportErrorCode: code);
    }

    /// <summary>The exception for a failed native stream or connection call. HQ_ERR_CLOSED is answered by the caller
    /// with the connection's close reason.</summary>
    public static Exception ForStatus(long status, ulong code, int err, string operation)
    {
        var c = (long)code;
        return status switch
        {
            HQ_ERR_STREAM_RESET => new QuicException(QuicError.StreamAborted,
                $"The peer aborted the stream with application error code {c}.", applicationErrorCode: c),
            HQ_ERR_STREAM_STOPPED => code == 0 && err == 0
                ? new QuicException(QuicError.StreamAborted, "The peer stopped reading the stream (STOP_SENDING).")
                : new QuicException(QuicError.StreamAborted, $"The peer stopped reading the stream with application error code {c}.", applicationErrorCode: c),
            HQ_ERR_ABORTED => new QuicException(QuicError.OperationAborted, $"{operation}: this direction of the stream was aborted locally."),
            HQ_ERR_CLOSED => new QuicException(QuicError.OperationAborted, $"{operation}: the connection is closed."),
            HQ_ERR_STATE => new InvalidOperationException($"{operation}: not allowed in the stream's state (e.g. after CompleteWrites)."),
            HQ_ERR_INVALID => new ArgumentException($"{operation}: invalid argument."),
            HQ_ERR_NOMEM => new QuicException(QuicError.InternalError, $"{operation}: out of memory."),
            HQ_ERR_LIMIT => new QuicException(QuicError.ConnectionRefused, $"{operation}: the endpoint's connection limit is reached."),
            HQ_ERR_TLS => new ArgumentException($"{operation}: the certificate or private key was rejected by GnuTLS (error {err}: {GnutlsError(err)})."),
            HQ_ERR_SOCKET => SocketError(err, operation),
            HQ_ERR_NGTCP2 => new QuicException(QuicError.InternalError, $"{operation}: {NgtcpError(err)}."),
            _ => new QuicException(QuicError.InternalError, $"{operation}: unexpected native status {status}."),
        };
    }

    private static QuicException SocketError(int errno, string operation)
    {
        var message = $"{operation}: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno.ToString(CultureInfo.InvariantCulture)}).";
        return errno switch
        {
            EADDRINUSE or EADDRNOTAVAIL => new QuicException(QuicError.AddressInUse, message),
            ENETUNREACH or EHOSTUNREACH => new QuicException(QuicError.HostUnreachable, message),
            _ => new QuicException(QuicError.InternalError, message),
        };
    }

    private static string NgtcpError(int liberr)
        => liberr == 0 ? "no detail" : $"ngtcp2 error {liberr}: {Marshal.PtrToStringUTF8(hq_ngtcp2_strerror(liberr))}";

    private static string? GnutlsError(int err) => Marshal.PtrToStringUTF8(hq_gnutls_strerror(err));
}

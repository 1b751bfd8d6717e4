namespace HddFs.Quic;

internal static partial class Interop
{
    internal static partial class HddFsQuic
    {
        // Status codes (hddfs_quic.h, HQ_OK / HQ_AGAIN / HQ_ERR_*).
        internal const int HQ_OK = 0;
        internal const int HQ_AGAIN = -1;
        internal const int HQ_ERR_CLOSED = -2;
        internal const int HQ_ERR_STREAM_RESET = -3;
        internal const int HQ_ERR_STREAM_STOPPED = -4;
        internal const int HQ_ERR_ABORTED = -5;
        internal const int HQ_ERR_STATE = -6;
        internal const int HQ_ERR_INVALID = -7;
        internal const int HQ_ERR_NOMEM = -8;
        internal const int HQ_ERR_SOCKET = -9;
        internal const int HQ_ERR_TLS = -10;
        internal const int HQ_ERR_LIMIT = -11;
        internal const int HQ_ERR_NGTCP2 = -12;

        // hq_endpoint_config.flags
        internal const uint HQ_FLAG_ACCEPT = 0x01;
        internal const uint HQ_FLAG_REQUIRE_CLIENT_CERT = 0x02;
        internal const uint HQ_FLAG_VALIDATE_CALLBACK = 0x04;
        internal const uint HQ_FLAG_NO_GSO = 0x08;
        internal const uint HQ_FLAG_NO_GRO = 0x10;
        internal const uint HQ_FLAG_NO_ECN = 0x20;
        internal const uint HQ_FLAG_DEBUG_LOG = 0x40;

        // hq_event.type
        internal const uint HQ_EV_CONN_CONNECTED = 1;
        internal const uint HQ_EV_CONN_ACCEPTED = 2;
        internal const uint HQ_EV_CONN_CLOSED = 3;
        internal const uint HQ_EV_STREAMS_AVAILABLE = 4;
        internal const uint HQ_EV_STREAM_ACCEPTED = 5;
        internal const uint HQ_EV_STREAM_READABLE = 6;
        internal const uint HQ_EV_STREAM_WRITABLE = 7;
        internal const uint HQ_EV_STREAM_PEER_RESET = 8;
        internal const uint HQ_EV_STREAM_PEER_STOP = 9;
        internal const uint HQ_EV_STREAM_WRITES_DONE = 10;
        internal const uint HQ_EV_STREAM_CLOSED = 11;
        internal const uint HQ_EV_DATAGRAM = 12;

        internal const uint HQ_EVF_CODE = 0x01;

        // hq_event.close_kind
        internal const int HQ_CLOSE_LOCAL_APP = 1;
        internal const int HQ_CLOSE_PEER_APP = 2;
        internal const int HQ_CLOSE_PEER_TRANSPORT = 3;
        internal const int HQ_CLOSE_IDLE = 4;
        internal const int HQ_CLOSE_HANDSHAKE_TIMEOUT = 5;
        internal const int HQ_CLOSE_STATELESS_RESET = 6;
        internal const int HQ_CLOSE_AUTH_FAILED = 7;
        internal const int HQ_CLOSE_TLS_FAILED = 8;
        internal const int HQ_CLOSE_PROTOCOL = 9;
        internal const int HQ_CLOSE_SHUTDOWN = 10;
        internal const int HQ_CLOSE_ALPN = 11;
        internal const int HQ_CLOSE_INTERNAL = 12;
        internal const int HQ_CLOSE_UNREACHABLE = 13;
        internal const int HQ_CLOSE_REFUSED = 14;

        // hq_stream_shutdown directions
        internal const int HQ_SHUT_READ = 1;
        internal const int HQ_SHUT_WRITE = 2;
    }
}

/*
 * hddfs_quic.h — the C API of libhddfs_quic.so, a thin shim over ngtcp2 0.12 + GnuTLS 3.7.
 *
 * This header is the whole contract with the managed side (src/HddFs.Quic/Interop). Every struct here
 * is blittable and mirrored field by field in C#; tests/HddFs.Quic.Tests compiles a C program against
 * this header and compares sizeof/offsetof with the C# mirrors. Change both together.
 *
 * Threading: every function may be called from any thread except where noted. One mutex per endpoint
 * serialises all access to ngtcp2/GnuTLS state; the endpoint's I/O thread runs the event loop and is
 * the only thread that delivers events. Events are delivered with the mutex NOT held, so an event
 * callback may call back into this API. The validate_key callback is the exception: it runs on the
 * I/O thread WITH the mutex held (inside the TLS handshake) and must not call into this API.
 *
 * Ownership: hq_endpoint, hq_conn and hq_stream are reference counted. A pointer handed to the
 * managed side (hq_endpoint_create, hq_conn_create_client, hq_conn_open_stream, and the handle of an
 * HQ_EV_CONN_ACCEPTED / HQ_EV_STREAM_ACCEPTED event) carries exactly one reference that the managed
 * side must drop with the matching *_release function. Memory passed into a function is only read
 * during the call (it is copied); no caller memory is retained.
 */
#ifndef HDDFS_QUIC_H
#define HDDFS_QUIC_H

#include <stddef.h>
#include <stdint.h>

#define HQ_API __attribute__((visibility("default")))

#ifdef __cplusplus
extern "C" {
#endif

/* ---- status codes (returned negative; >= 0 means success / a byte count) ---- */
#define HQ_OK 0
#define HQ_AGAIN (-1)              /* would block; the matching event wakes the caller */
#define HQ_ERR_CLOSED (-2)         /* the connection is closed (or the endpoint shut down) */
#define HQ_ERR_STREAM_RESET (-3)   /* the peer reset its sending side (RESET_STREAM); *code set */
#define HQ_ERR_STREAM_STOPPED (-4) /* the peer asked us to stop sending (STOP_SENDING); *code set when known */
#define HQ_ERR_ABORTED (-5)        /* this direction was aborted locally */
#define HQ_ERR_STATE (-6)          /* e.g. write after FIN, read on a send-only stream */
#define HQ_ERR_INVALID (-7)        /* bad argument */
#define HQ_ERR_NOMEM (-8)
#define HQ_ERR_SOCKET (-9)         /* a socket call failed; errno in *err */
#define HQ_ERR_TLS (-10)           /* certificate, key or TLS setup failed; GnuTLS error in *err */
#define HQ_ERR_LIMIT (-11)         /* too many connections */
#define HQ_ERR_NGTCP2 (-12)        /* ngtcp2 refused; ngtcp2 error in *err */

/* ---- endpoint flags (hq_endpoint_config.flags) ---- */
#define HQ_FLAG_ACCEPT 0x01u               /* accept incoming connections */
#define HQ_FLAG_REQUIRE_CLIENT_CERT 0x02u  /* server requires a client certificate (else requests it) */
#define HQ_FLAG_VALIDATE_CALLBACK 0x04u    /* call validate_key for every peer key */
#define HQ_FLAG_NO_GSO 0x08u               /* do not use UDP_SEGMENT */
#define HQ_FLAG_NO_GRO 0x10u               /* do not use UDP_GRO */
#define HQ_FLAG_NO_ECN 0x20u               /* do not read/write ECN bits */
#define HQ_FLAG_DEBUG_LOG 0x40u            /* ngtcp2 debug log on stderr */

/* ---- event types ---- */
#define HQ_EV_CONN_CONNECTED 1     /* client: handshake confirmed, peer authenticated */
#define HQ_EV_CONN_ACCEPTED 2      /* server: handshake complete; handle = hq_conn* carrying one reference */
#define HQ_EV_CONN_CLOSED 3        /* close_kind, code, liberr */
#define HQ_EV_STREAMS_AVAILABLE 4  /* the peer raised the stream limit (after an HQ_AGAIN from hq_conn_open_stream) */
#define HQ_EV_STREAM_ACCEPTED 5    /* handle = hq_stream* carrying one reference */
#define HQ_EV_STREAM_READABLE 6    /* after an HQ_AGAIN from hq_stream_read */
#define HQ_EV_STREAM_WRITABLE 7    /* after an HQ_AGAIN from hq_stream_write */
#define HQ_EV_STREAM_PEER_RESET 8  /* code = application error code of RESET_STREAM */
#define HQ_EV_STREAM_PEER_STOP 9   /* flags & HQ_EVF_CODE = code known */
#define HQ_EV_STREAM_WRITES_DONE 10 /* all data and the FIN were acknowledged */
#define HQ_EV_STREAM_CLOSED 11     /* ngtcp2 closed the stream; flags & HQ_EVF_CODE = code set */
#define HQ_EV_DATAGRAM 12          /* a non-QUIC datagram: handle = bytes valid during the callback only */

#define HQ_EVF_CODE 0x01u

/* ---- why a connection closed (hq_event.close_kind) ---- */
#define HQ_CLOSE_LOCAL_APP 1         /* hq_conn_close: code = our application error code */
#define HQ_CLOSE_PEER_APP 2          /* peer's CONNECTION_CLOSE (application): code */
#define HQ_CLOSE_PEER_TRANSPORT 3    /* peer's CONNECTION_CLOSE (transport): code */
#define HQ_CLOSE_IDLE 4              /* idle timeout */
#define HQ_CLOSE_HANDSHAKE_TIMEOUT 5 /* handshake did not finish in time */
#define HQ_CLOSE_STATELESS_RESET 6   /* peer sent a stateless reset (it lost the connection) */
#define HQ_CLOSE_AUTH_FAILED 7       /* we rejected the peer's certificate or key */
#define HQ_CLOSE_TLS_FAILED 8        /* local TLS failure; code = transport code sent (0x100 + alert) */
#define HQ_CLOSE_PROTOCOL 9          /* local ngtcp2 error; liberr = ngtcp2 error, code = transport code sent */
#define HQ_CLOSE_SHUTDOWN 10         /* endpoint shut down */
#define HQ_CLOSE_ALPN 11             /* no common application protocol */
#define HQ_CLOSE_INTERNAL 12         /* out of memory or similar */
#define HQ_CLOSE_UNREACHABLE 13      /* ICMP: host/network unreachable during the handshake */
#define HQ_CLOSE_REFUSED 14          /* ICMP: port unreachable during the handshake */

/* ---- shutdown directions (hq_stream_shutdown) ---- */
#define HQ_SHUT_READ 1
#define HQ_SHUT_WRITE 2

/* An IP endpoint. family is 4 or 6; port in host order; addr holds 4 or 16 bytes (network order).
 * IPv4-mapped IPv6 addresses are always reported as family 4. */
typedef struct hq_addr {
    uint16_t family;
    uint16_t port;
    uint32_t scope_id;
    uint8_t addr[16];
} hq_addr;

typedef struct hq_event {
    uint32_t type;
    uint32_t flags;
    uint64_t conn_key;   /* the connection's key (hq_conn_info.key) */
    int64_t stream_id;   /* -1 when not about a stream */
    uint64_t code;       /* application or transport error code */
    void *handle;        /* see the event types */
    uint64_t length;     /* HQ_EV_DATAGRAM: byte count */
    int32_t close_kind;  /* HQ_EV_CONN_CLOSED: HQ_CLOSE_* */
    int32_t liberr;      /* HQ_EV_CONN_CLOSED: ngtcp2 error, if any */
    hq_addr addr;        /* HQ_EV_DATAGRAM: sender */
} hq_event;

typedef struct hq_endpoint hq_endpoint;
typedef struct hq_conn hq_conn;
typedef struct hq_stream hq_stream;

/* Events of one loop iteration; events[] is valid only during the call. */
typedef void (*hq_events_fn)(void *ctx, const hq_event *events, uint32_t count);
/* Returns nonzero to accept the peer's raw 32-byte Ed25519 key. Runs on the I/O thread with the
 * endpoint mutex held: must not call into this API. */
typedef int32_t (*hq_validate_fn)(void *ctx, uint64_t conn_key, const uint8_t *key, uint32_t keylen);

typedef struct hq_endpoint_config {
    hq_addr local;
    const uint8_t *cert_pem;      /* our X.509 certificate, PEM (copied) */
    uint64_t cert_pem_len;
    const uint8_t *key_pem;       /* our PKCS#8 private key, PEM (copied) */
    uint64_t key_pem_len;
    const uint8_t *alpn;          /* application protocol (copied) */
    uint64_t alpn_len;
    uint8_t reset_secret[32];     /* static secret for stateless reset tokens */
    uint64_t idle_timeout_ns;
    uint64_t keep_alive_ns;       /* 0 = off */
    uint64_t handshake_timeout_ns;
    uint64_t initial_max_data;        /* connection receive window at start */
    uint64_t max_window;              /* auto-tuning limit of the connection window */
    uint64_t initial_max_stream_data; /* stream receive window at start */
    uint64_t max_stream_window;       /* auto-tuning limit of a stream window */
    uint64_t stream_send_buffer;      /* per stream: bytes written but not yet acknowledged */
    uint64_t conn_send_buffer;        /* per connection: the same, summed over its streams */
    uint64_t max_inbound_bidi;
    uint64_t max_inbound_uni;
    uint64_t local_max_payload;   /* UDP payload bytes on paths to an address of this host (loopback); 0 = standard */
    uint32_t max_connections;
    uint32_t cc_algo;             /* 0 reno, 1 cubic, 2 bbr, 3 bbr2 (ngtcp2_cc_algo) */
    uint32_t flags;               /* HQ_FLAG_* */
    int32_t socket_buffer;        /* SO_RCVBUF/SO_SNDBUF bytes; 0 = leave the default */
    void *ctx;                    /* passed back to the callbacks */
    hq_events_fn on_events;
    hq_validate_fn validate_key;
} hq_endpoint_config;

typedef struct hq_conn_info {
    hq_addr local;
    hq_addr remote;
    uint8_t peer_key[32];
    int32_t peer_key_len;        /* 32, or 0 when the peer presented no certificate */
    int32_t is_client;
    uint64_t key;
    uint64_t smoothed_rtt_ns;
    uint64_t min_rtt_ns;
    uint64_t cwnd;
    uint64_t bytes_in_flight;
    uint64_t pkts_sent;          /* UDP datagrams this connection sent */
    uint64_t pkts_recv;          /* UDP datagrams this connection received */
    uint64_t pkts_lost_hint;     /* ngtcp2 PTO count (a loss indicator) */
} hq_conn_info;

typedef struct hq_endpoint_info {
    hq_addr local;
    int32_t gso;                 /* UDP_SEGMENT in use */
    int32_t gro;                 /* UDP_GRO in use */
    int32_t ecn;
    int32_t rcvbuf;
    int32_t sndbuf;
    int32_t connections;
    uint64_t datagrams_sent;     /* sendmsg calls that succeeded */
    uint64_t packets_sent;       /* QUIC packets (GSO segments) sent */
    uint64_t packets_recv;       /* UDP datagrams received (after GRO split) */
    uint64_t stateless_resets_sent;
    uint64_t dropped_datagrams;  /* non-QUIC datagrams dropped because too many were pending */
    uint64_t greased_packets;    /* QUIC packets received with the fixed bit clear (RFC 9287) */
} hq_endpoint_info;

/* ngtcp2's version number (e.g. 0x000c01 for 0.12.1). */
HQ_API int32_t hq_ngtcp2_version(void);
/* Static error texts (never freed). */
HQ_API const char *hq_ngtcp2_strerror(int32_t liberr);
HQ_API const char *hq_gnutls_strerror(int32_t err);
/* sizeof of the API structs, so the managed side can refuse a mismatched library. */
HQ_API int32_t hq_abi_size(int32_t which);

/* Binds the UDP socket, loads the certificate and starts the I/O thread. On failure returns
 * HQ_ERR_* with errno / GnuTLS error in *err. */
HQ_API int32_t hq_endpoint_create(const hq_endpoint_config *cfg, hq_endpoint **out, int32_t *err);
HQ_API int32_t hq_endpoint_get_info(hq_endpoint *ep, hq_endpoint_info *info);
/* Closes every connection (CONNECTION_CLOSE with app_code when graceful, silently otherwise), delivers
 * the last events, stops the I/O thread and closes the socket. Idempotent. Blocks until the thread
 * ended, unless called from the I/O thread itself. */
HQ_API void hq_endpoint_shutdown(hq_endpoint *ep, int32_t graceful, uint64_t app_code);
/* Drops the caller's reference (shutting the endpoint down first if needed). */
HQ_API void hq_endpoint_release(hq_endpoint *ep);
/* Sends one UDP datagram on the endpoint's socket (not QUIC). */
HQ_API int32_t hq_endpoint_send_datagram(hq_endpoint *ep, const hq_addr *to, const uint8_t *data, uint64_t len, int32_t *err);

/* Creates a client connection; nothing is sent until hq_conn_start. expected_key (32 bytes) may be
 * NULL. *key receives the connection key used in events. */
HQ_API int32_t hq_conn_create_client(hq_endpoint *ep, const hq_addr *remote, const uint8_t *expected_key,
                                     uint64_t expected_key_len, hq_conn **out, uint64_t *key, int32_t *err);
HQ_API int32_t hq_conn_start(hq_conn *c);
HQ_API int32_t hq_conn_get_info(hq_conn *c, hq_conn_info *info);
/* Opens a stream (bidi != 0: bidirectional). HQ_AGAIN when the peer's stream limit is reached
 * (HQ_EV_STREAMS_AVAILABLE follows). */
HQ_API int32_t hq_conn_open_stream(hq_conn *c, int32_t bidi, hq_stream **out, int64_t *stream_id);
/* Graceful close: CONNECTION_CLOSE with an application error code, then the closing period.
 * HQ_EV_CONN_CLOSED follows once the frame was sent. */
HQ_API int32_t hq_conn_close(hq_conn *c, uint64_t app_code);
/* Drops the caller's reference; closes the connection with code 0 if it is still open. */
HQ_API void hq_conn_release(hq_conn *c);

/* Copies up to len received bytes into buf and returns the count; 0 means the peer's FIN (for
 * len > 0) or, for len == 0, that data or the FIN is available. Returns flow-control credit to the
 * peer for what was consumed. */
HQ_API int64_t hq_stream_read(hq_stream *s, uint8_t *buf, uint64_t len, uint64_t *code);
/* Copies up to len bytes into the stream's native send buffer and returns the count accepted
 * (bounded by the send buffer caps); fin != 0 ends the stream after the last byte when all len bytes
 * were accepted. HQ_AGAIN when nothing fits (HQ_EV_STREAM_WRITABLE follows). */
HQ_API int64_t hq_stream_write(hq_stream *s, const uint8_t *buf, uint64_t len, int32_t fin, uint64_t *code);
/* HQ_SHUT_READ: STOP_SENDING(code); HQ_SHUT_WRITE: RESET_STREAM(code). */
HQ_API int32_t hq_stream_shutdown(hq_stream *s, int32_t how, uint64_t code);
/* Drops the caller's reference. An open sending side gets a FIN (buffered data is still delivered);
 * an unfinished receiving side gets STOP_SENDING(0). */
HQ_API void hq_stream_release(hq_stream *s);

#ifdef __cplusplus
}
#endif

#endif /* HDDFS_QUIC_H */

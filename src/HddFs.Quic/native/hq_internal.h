/*
 * Internal structures of the shim. Lock rule: every field below that is not marked "immutable" or
 * "I/O thread only" is guarded by hq_endpoint.mu.
 */
#ifndef HQ_INTERNAL_H
#define HQ_INTERNAL_H

#include <pthread.h>
#include <stdint.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <gnutls/gnutls.h>
#include <ngtcp2/ngtcp2.h>
#include <ngtcp2/ngtcp2_crypto.h>

#include "hddfs_quic.h"

#define HQ_SCIDLEN 16             /* length of every connection ID we issue */
#define HQ_CHUNK 65536            /* send/receive buffer chunk capacity */
#define HQ_MAX_GSO_SEGMENTS 64    /* kernel UDP_MAX_SEGMENTS */
#define HQ_TXBUF (64 * 1024)      /* one GSO batch buffer */
#define HQ_MAX_BATCH 65507        /* bytes in one sendmsg: IPv4's 65535 minus IP and UDP headers, also for GSO */
#define HQ_LOCAL_INFLIGHT (1024 * 1024) /* bytes in flight on a local path (see conn_write) */
#define HQ_RXBUF (64 * 1024 + 64) /* one GRO batch */
#define HQ_MAX_PENDING_DATAGRAMS 256 /* non-QUIC datagrams per loop iteration */
#define HQ_NUM_CIDS 8             /* active_connection_id_limit we advertise */
#define HQ_CHUNK_POOL 256         /* free chunks kept for reuse per endpoint (16 MiB) */
#define HQ_CREDIT_WAKE (64 * 1024) /* consumed bytes that justify waking the loop for a window update */

/* A piece of stream data. Send side: [offset, offset + len) of the stream, freed once acknowledged.
 * Receive side: pos bytes were consumed by the application. */
typedef struct hq_chunk {
    struct hq_chunk *next;
    uint64_t offset;
    size_t len;
    size_t pos;
    size_t cap;
    uint8_t data[];
} hq_chunk;

struct hq_stream {
    hq_conn *c;               /* immutable; holds a reference on c */
    int64_t id;               /* immutable */
    int refs;                 /* ng_open + managed */
    int ng_open;              /* ngtcp2 knows the stream (the loop's reference) */
    int managed;              /* the managed side holds a reference */
    int can_read, can_write;  /* immutable: direction(s) of this stream for us */

    /* send side: bytes [s_acked, s_written) are buffered; [s_sent, s_written) not yet handed to ngtcp2 */
    hq_chunk *sh, *st;
    uint64_t s_written, s_sent, s_acked;
    int fin_req, fin_sent, fin_alone, fin_acked;
    int wr_shut;              /* we reset the sending side */
    int peer_stop;            /* the peer sent STOP_SENDING (ngtcp2 shut our sending side) */
    int peer_stop_code_known;
    uint64_t peer_stop_code;
    int send_blocked;         /* stream flow control exhausted */
    int unaccounted;          /* the unacknowledged bytes no longer count against c->s_buffered */

    /* receive side: queued, in order, until the application reads it */
    hq_chunk *rh, *rt;
    uint64_t r_avail;
    uint64_t r_unannounced;   /* consumed since the loop was last woken for flow-control credit */
    int r_fin, r_fin_read;
    int rd_shut;              /* we sent STOP_SENDING */
    int peer_reset;
    uint64_t peer_reset_code;

    int want_read, want_write; /* the application waits: deliver READABLE/WRITABLE */
    int done_reported, stop_reported, reset_reported;
    struct hq_stream *next, *prev; /* c->streams while ng_open */
};

enum { HQC_HANDSHAKE, HQC_ESTABLISHED, HQC_CLOSING, HQC_DRAINING, HQC_DEAD };

struct hq_conn {
    hq_endpoint *ep;          /* immutable; the conn holds a reference on ep */
    uint64_t key;             /* immutable */
    int refs;                 /* in_loop + managed + one per hq_stream */
    int in_loop;              /* in ep->conns (the loop's reference) */
    int managed;
    int is_client;            /* immutable */
    int state;
    int started;              /* client: hq_conn_start was called */
    int creating;             /* inside ngtcp2_conn_*_new (see cb_rand) */
    int announced;            /* the managed side knows this connection (events are meaningful) */
    ngtcp2_conn *conn;
    gnutls_session_t tls;
    ngtcp2_crypto_conn_ref cref;
    struct sockaddr_storage remote; /* address we dial / first address seen */
    socklen_t remotelen;

    int expected_key_set;
    uint8_t expected_key[32];
    int peer_key_set;
    uint8_t peer_key[32];
    int auth_failed, alpn_failed, got_reset;

    int close_kind, close_liberr, close_reported;
    uint64_t close_code;
    int close_req;            /* managed asked for a graceful close */
    uint64_t close_req_code;
    uint8_t *close_pkt;       /* CONNECTION_CLOSE packet, re-sent in the closing period */
    size_t close_pktlen;
    uint64_t close_rx, close_next_reply;
    uint64_t close_deadline;

    uint64_t expiry;          /* cached ngtcp2_conn_get_expiry (or close_deadline) */
    int dirty;                /* has something to write */
    int want_bidi, want_uni;
    uint64_t s_buffered;      /* sum of the streams' unacknowledged bytes */
    int want_write_any;       /* a stream waits on the connection send cap */
    int64_t rr_next;          /* round-robin: first stream id to consider next */

    hq_stream *streams;
    ngtcp2_cid cids[HQ_NUM_CIDS * 2 + 4]; /* our CIDs registered in ep->map */
    size_t ncids;
    uint8_t tokens[HQ_NUM_CIDS + 2][NGTCP2_STATELESS_RESET_TOKENLEN]; /* peer's tokens registered in ep->tokens */
    size_t ntokens;
    int tokens_dirty;
    uint64_t pkts_sent, pkts_recv;
    size_t big_pkt;           /* loopback path: UDP payload size used once the handshake completed (0 = shaped) */
    struct hq_conn *next, *prev;
};

typedef struct hq_cidmap_entry {
    ngtcp2_cid cid;
    hq_conn *c;
    int used;                 /* 0 empty, 1 used, 2 deleted */
} hq_cidmap_entry;

typedef struct hq_cidmap {
    hq_cidmap_entry *slots;
    size_t cap, used, tomb;
    uint64_t k0, k1;          /* SipHash key: attacker-chosen CIDs must not collide on purpose */
} hq_cidmap;

struct hq_endpoint {
    pthread_mutex_t mu;
    int refs;                 /* managed + one per hq_conn */
    int free_pending;         /* refs reached 0: freed by hq_unlock */
    int shut;                 /* shutdown requested */
    int graceful;
    uint64_t shut_code;
    int thread_started, thread_joined, thread_exited;
    pthread_t thread;
    int fd, evfd;
    int family;               /* AF_INET or AF_INET6 */
    struct sockaddr_storage local;
    socklen_t locallen;

    /* immutable configuration */
    uint8_t *alpn;
    size_t alpn_len;
    uint8_t reset_secret[32];
    hq_endpoint_config cfg;   /* pointers in it are not used after create */
    gnutls_certificate_credentials_t cred;
    gnutls_priority_t prio;

    hq_conn *conns;
    uint32_t nconns;
    hq_cidmap map;            /* our connection IDs -> connection */
    hq_cidmap tokens;         /* peers' stateless reset tokens -> connection */
    uint64_t next_key;

    hq_chunk *pool;           /* free chunks: malloc/free of 64 KiB would fault pages in and out */
    size_t npool;

    hq_event *ev;             /* pending events, delivered by the I/O thread */
    size_t nev, capev;
    int wake_pending;

    /* I/O thread only */
    int gso, gro, ecn, cur_tos;
    uint8_t *txbuf, *rxbuf;
    uint8_t *pend;            /* a batch that hit EAGAIN */
    size_t pend_len, pend_gso;
    struct sockaddr_storage pend_to;
    socklen_t pend_tolen;
    int pend_ecn;
    uint64_t reset_tokens, reset_refill_ts;

    int rcvbuf, sndbuf;
    uint64_t datagrams_sent, packets_sent, packets_recv, resets_sent, dropped_datagrams, greased_packets;
    size_t pending_datagrams;
};

/* hq_endpoint.c */
uint64_t hq_now(void);
void hq_wake(hq_endpoint *ep);
void hq_ev_push(hq_endpoint *ep, const hq_event *ev);
void hq_addr_from_sockaddr(hq_addr *out, const struct sockaddr *sa);
int hq_sockaddr_from_addr(const hq_endpoint *ep, const hq_addr *a, struct sockaddr_storage *ss, socklen_t *len);
/* Sends one batch (GSO when gso < len); 1 = sent or dropped, 0 = EAGAIN (caller keeps it pending). */
int hq_send_batch(hq_endpoint *ep, const uint8_t *buf, size_t len, size_t gso, const struct sockaddr *to,
                  socklen_t tolen, int ecn);
void hq_ep_unref_locked(hq_endpoint *ep);
void hq_ep_free(hq_endpoint *ep);
/* Unlocks ep->mu and frees the endpoint if its last reference went while the mutex was held. */
void hq_unlock(hq_endpoint *ep);

/* hq_cidmap.c */
int hq_cidmap_init(hq_cidmap *m);
void hq_cidmap_free(hq_cidmap *m);
hq_conn *hq_cidmap_find(hq_cidmap *m, const uint8_t *cid, size_t len);
int hq_cidmap_put(hq_cidmap *m, const ngtcp2_cid *cid, hq_conn *c);
void hq_cidmap_del(hq_cidmap *m, const ngtcp2_cid *cid);

/* hq_tls.c */
int hq_tls_ep_init(hq_endpoint *ep, const hq_endpoint_config *cfg, int *err);
void hq_tls_ep_free(hq_endpoint *ep);
int hq_tls_conn_init(hq_conn *c);
/* Checks a DER certificate: exactly Ed25519, valid self-signature. Copies the raw key into key32. */
int hq_check_ed25519_self_signed(const uint8_t *der, size_t len, uint8_t key32[32]);

/* hq_conn.c */
hq_conn *hq_conn_new_server(hq_endpoint *ep, const ngtcp2_pkt_hd *hd, const struct sockaddr *from,
                            socklen_t fromlen, uint64_t ts);
void hq_conn_read(hq_conn *c, const uint8_t *data, size_t len, const struct sockaddr *from, socklen_t fromlen,
                  int ecn, uint64_t ts);
void hq_conn_process(hq_conn *c, uint64_t ts);  /* close requests, timers, writes */
void hq_conn_fail(hq_conn *c, int liberr, uint64_t ts);
void hq_conn_destroy(hq_conn *c, int kind_if_unset); /* drops the loop's reference */
void hq_conn_report_closed(hq_conn *c);
void hq_conn_close_now(hq_conn *c, int kind, uint64_t app_code, uint64_t ts);
void hq_conn_icmp_error(hq_conn *c, int kind);
void hq_conn_unref_locked(hq_conn *c);
void hq_conn_settings(hq_conn *c, ngtcp2_settings *s, ngtcp2_transport_params *p, uint64_t ts);

/* hq_stream.c */
void hq_chunk_pool_free(hq_endpoint *ep);
hq_stream *hq_stream_new(hq_conn *c, int64_t id);
void hq_stream_unref_locked(hq_stream *s);
void hq_stream_ng_closed(hq_stream *s);           /* ngtcp2 forgot the stream: free send data, drop loop ref */
int hq_stream_on_data(hq_stream *s, const uint8_t *data, size_t len, int fin);
void hq_stream_on_acked(hq_stream *s, uint64_t offset, uint64_t len);
void hq_stream_on_reset(hq_stream *s, uint64_t code);
void hq_stream_emit(hq_stream *s, uint32_t type, uint32_t flags, uint64_t code);
void hq_stream_free_send(hq_stream *s);
void hq_conn_wake_writers(hq_conn *c);
int hq_stream_has_pending(const hq_stream *s);

#endif

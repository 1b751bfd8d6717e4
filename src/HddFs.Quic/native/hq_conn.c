/*
 * Connections: ngtcp2 callbacks, packet input, the write path (GSO batches, pacing), closing/draining
 * and the connection half of the API. Everything runs with ep->mu held; ngtcp2 calls happen on the I/O
 * thread except the few API entry points (open stream, shutdown, extend offsets) which run on the
 * caller's thread under the same mutex and never while a packet is half written.
 */
#include <netinet/in.h>
#include <netinet/ip.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gnutls/crypto.h>
#include <ngtcp2/ngtcp2_crypto.h>

#include "hq_internal.h"

/* ---------------------------------------------------------------- helpers ------------------------ */

static void log_printf(void *ud, const char *fmt, ...)
{
    (void)ud;
    static FILE *out;
    if (!out) {
        const char *path = getenv("HDDFS_QUIC_DEBUG_FILE");
        out = path ? fopen(path, "a") : NULL;
        if (!out)
            out = stderr;
    }
    va_list ap;
    va_start(ap, fmt);
    vfprintf(out, fmt, ap);
    va_end(ap);
    fputc('\n', out);
    fflush(out);
}

static void emit_conn(hq_conn *c, uint32_t type, void *handle)
{
    hq_event ev;
    memset(&ev, 0, sizeof(ev));
    ev.type = type;
    ev.conn_key = c->key;
    ev.stream_id = -1;
    ev.handle = handle;
    ev.close_kind = c->close_kind;
    ev.code = c->close_code;
    ev.liberr = c->close_liberr;
    hq_ev_push(c->ep, &ev);
}

static int add_cid(hq_conn *c, const ngtcp2_cid *cid)
{
    if (c->ncids >= sizeof(c->cids) / sizeof(c->cids[0]))
        return -1;
    if (hq_cidmap_put(&c->ep->map, cid, c) != 0)
        return -1;
    c->cids[c->ncids++] = *cid;
    return 0;
}

static void remove_cid(hq_conn *c, const ngtcp2_cid *cid)
{
    hq_cidmap_del(&c->ep->map, cid);
    for (size_t i = 0; i < c->ncids; i++) {
        if (ngtcp2_cid_eq(&c->cids[i], cid)) {
            c->cids[i] = c->cids[--c->ncids];
            return;
        }
    }
}

/* Re-registers the peer's stateless reset tokens (of the DCIDs in use) so that a reset, whose DCID is
 * random, can be routed to this connection by its trailing 16 bytes. */
static void sync_tokens(hq_conn *c)
{
    hq_endpoint *ep = c->ep;
    ngtcp2_cid key;
    for (size_t i = 0; i < c->ntokens; i++) {
        ngtcp2_cid_init(&key, c->tokens[i], NGTCP2_STATELESS_RESET_TOKENLEN);
        hq_cidmap_del(&ep->tokens, &key);
    }
    c->ntokens = 0;
    c->tokens_dirty = 0;
    if (!c->conn || c->state >= HQC_CLOSING)
        return;
    ngtcp2_cid_token dcids[HQ_NUM_CIDS + 2];
    size_t n = ngtcp2_conn_get_num_active_dcid(c->conn);
    if (n > sizeof(dcids) / sizeof(dcids[0]))
        return;
    n = ngtcp2_conn_get_active_dcid(c->conn, dcids);
    for (size_t i = 0; i < n && c->ntokens < HQ_NUM_CIDS + 2; i++) {
        if (!dcids[i].token_present)
            continue;
        ngtcp2_cid_init(&key, dcids[i].token, NGTCP2_STATELESS_RESET_TOKENLEN);
        if (hq_cidmap_put(&ep->tokens, &key, c) == 0)
            memcpy(c->tokens[c->ntokens++], dcids[i].token, NGTCP2_STATELESS_RESET_TOKENLEN);
    }
    /* the server's first token arrives in its transport parameters, not with a DCID entry */
    const ngtcp2_transport_params *rp = c->is_client ? ngtcp2_conn_get_remote_transport_params(c->conn) : NULL;
    if (rp && rp->stateless_reset_token_present && c->ntokens < HQ_NUM_CIDS + 2) {
        ngtcp2_cid_init(&key, rp->stateless_reset_token, NGTCP2_STATELESS_RESET_TOKENLEN);
        if (hq_cidmap_put(&ep->tokens, &key, c) == 0)
            memcpy(c->tokens[c->ntokens++], rp->stateless_reset_token, NGTCP2_STATELESS_RESET_TOKENLEN);
    }
}

static void set_keep_alive(hq_conn *c)
{
    if (c->ep->cfg.keep_alive_ns)
        ngtcp2_conn_set_keep_alive_timeout(c->conn, c->ep->cfg.keep_alive_ns);
}

/* Hands the managed side a reference for every stream the peer opened before the connection was
 * announced (normally none: a server processes 1-RTT data only after the handshake). */
static void announce_streams(hq_conn *c)
{
    for (hq_stream *s = c->streams; s; s = s->next) {
        if (s->managed || ngtcp2_conn_is_local_stream(c->conn, s->id))
            continue;
        s->managed = 1;
        s->refs++;
        hq_event ev;
        memset(&ev, 0, sizeof(ev));
        ev.type = HQ_EV_STREAM_ACCEPTED;
        ev.conn_key = c->key;
        ev.stream_id = s->id;
        ev.handle = s;
        hq_ev_push(c->ep, &ev);
    }
}

/* ---------------------------------------------------------------- ngtcp2 callbacks --------------- */

static int cb_recv_stream_data(ngtcp2_conn *conn, uint32_t flags, int64_t stream_id, uint64_t offset,
                               const uint8_t *data, size_t datalen, void *ud, void *sud)
{
    (void)offset;
    (void)ud;
    hq_stream *s = sud;
    if (!s) {
        ngtcp2_conn_extend_max_stream_offset(conn, stream_id, datalen);
        ngtcp2_conn_extend_max_offset(conn, datalen);
        return 0;
    }
    return hq_stream_on_data(s, data, datalen, (flags & NGTCP2_STREAM_DATA_FLAG_FIN) != 0) == 0
               ? 0
               : NGTCP2_ERR_CALLBACK_FAILURE;
}

static int cb_stream_open(ngtcp2_conn *conn, int64_t stream_id, void *ud)
{
    hq_conn *c = ud;
    hq_stream *s = hq_stream_new(c, stream_id);
    if (!s)
        return NGTCP2_ERR_CALLBACK_FAILURE;
    ngtcp2_conn_set_stream_user_data(conn, stream_id, s);
    if (c->announced) {
        s->managed = 1;
        s->refs++;
        hq_event ev;
        memset(&ev, 0, sizeof(ev));
        ev.type = HQ_EV_STREAM_ACCEPTED;
        ev.conn_key = c->key;
        ev.stream_id = stream_id;
        ev.handle = s;
        hq_ev_push(c->ep, &ev);
    }
    return 0;
}

static int cb_stream_close(ngtcp2_conn *conn, uint32_t flags, int64_t stream_id, uint64_t app_error_code,
                           void *ud, void *sud)
{
    hq_stream *s = sud;
    (void)ud;
    if (!ngtcp2_conn_is_local_stream(conn, stream_id)) {
        if ((stream_id & 2) == 0)
            ngtcp2_conn_extend_max_streams_bidi(conn, 1);
        else
            ngtcp2_conn_extend_max_streams_uni(conn, 1);
    }
    if (!s)
        return 0;
    int has_code = (flags & NGTCP2_STREAM_CLOSE_FLAG_APP_ERROR_CODE_SET) != 0;
    if (s->peer_stop && !s->peer_stop_code_known && has_code) {
        s->peer_stop_code_known = 1;
        s->peer_stop_code = app_error_code;
    }
    hq_stream_emit(s, HQ_EV_STREAM_CLOSED, has_code ? HQ_EVF_CODE : 0, app_error_code);
    hq_stream_ng_closed(s);
    return 0;
}

static int cb_stream_reset(ngtcp2_conn *conn, int64_t stream_id, uint64_t final_size, uint64_t app_error_code,
                           void *ud, void *sud)
{
    (void)conn;
    (void)stream_id;
    (void)final_size;
    (void)ud;
    if (sud)
        hq_stream_on_reset(sud, app_error_code);
    return 0;
}

static int cb_acked_stream_data_offset(ngtcp2_conn *conn, int64_t stream_id, uint64_t offset, uint64_t datalen,
                                       void *ud, void *sud)
{
    (void)conn;
    (void)stream_id;
    (void)ud;
    if (sud)
        hq_stream_on_acked(sud, offset, datalen);
    return 0;
}

static int cb_extend_max_stream_data(ngtcp2_conn *conn, int64_t stream_id, uint64_t max_data, void *ud,
                                     void *sud)
{
    (void)conn;
    (void)stream_id;
    (void)max_data;
    hq_conn *c = ud;
    hq_stream *s = sud;
    if (s)
        s->send_blocked = 0;
    c->dirty = 1;
    return 0;
}

static int cb_extend_max_local_streams(ngtcp2_conn *conn, uint64_t max_streams, void *ud)
{
    (void)conn;
    (void)max_streams;
    hq_conn *c = ud;
    if ((c->want_bidi || c->want_uni) && c->announced) {
        c->want_bidi = c->want_uni = 0;
        emit_conn(c, HQ_EV_STREAMS_AVAILABLE, NULL);
    }
    return 0;
}

static int cb_recv_stateless_reset(ngtcp2_conn *conn, const ngtcp2_pkt_stateless_reset *sr, void *ud)
{
    (void)conn;
    (void)sr;
    ((hq_conn *)ud)->got_reset = 1;
    return 0;
}

static void cb_rand(uint8_t *dest, size_t destlen, const ngtcp2_rand_ctx *ctx)
{
    gnutls_rnd(GNUTLS_RND_RANDOM, dest, destlen);
    /* ngtcp2 0.12 draws one byte while creating a connection and, if its low bit is set, clears the QUIC fixed
       bit of every packet it sends to a peer that allows greasing (RFC 9287) -- and every ngtcp2 peer does. We
       keep the bit: non-QUIC datagrams on our socket are recognised by a clear fixed bit. */
    hq_conn *c = ctx ? ctx->native_handle : NULL;
    if (c && c->creating && destlen == 1)
        dest[0] &= 0xfe;
}

static int cb_get_new_connection_id(ngtcp2_conn *conn, ngtcp2_cid *cid, uint8_t *token, size_t cidlen, void *ud)
{
    (void)conn;
    hq_conn *c = ud;
    cid->datalen = cidlen;
    for (int attempt = 0;; attempt++) {
        if (gnutls_rnd(GNUTLS_RND_RANDOM, cid->data, cidlen) != 0 || attempt > 8)
            return NGTCP2_ERR_CALLBACK_FAILURE;
        if (!hq_cidmap_find(&c->ep->map, cid->data, cidlen))
            break;
    }
    if (ngtcp2_crypto_generate_stateless_reset_token(token, c->ep->reset_secret, sizeof(c->ep->reset_secret), cid) != 0)
        return NGTCP2_ERR_CALLBACK_FAILURE;
    return add_cid(c, cid) == 0 ? 0 : NGTCP2_ERR_CALLBACK_FAILURE;
}

static int cb_remove_connection_id(ngtcp2_conn *conn, const ngtcp2_cid *cid, void *ud)
{
    (void)conn;
    remove_cid(ud, cid);
    return 0;
}

static int cb_dcid_status(ngtcp2_conn *conn, int type, uint64_t seq, const ngtcp2_cid *cid, const uint8_t *token,
                          void *ud)
{
    (void)conn;
    (void)type;
    (void)seq;
    (void)cid;
    (void)token;
    ((hq_conn *)ud)->tokens_dirty = 1;
    return 0;
}

static int check_alpn(hq_conn *c)
{
    gnutls_datum_t d;
    if (gnutls_alpn_get_selected_protocol(c->tls, &d) != 0 || d.size != c->ep->alpn_len ||
        memcmp(d.data, c->ep->alpn, d.size) != 0) {
        c->alpn_failed = 1;
        return -1;
    }
    return 0;
}

static int cb_handshake_completed(ngtcp2_conn *conn, void *ud)
{
    (void)conn;
    hq_conn *c = ud;
    if (check_alpn(c) != 0)
        return NGTCP2_ERR_CALLBACK_FAILURE;
    if (!c->peer_key_set && (c->is_client || (c->ep->cfg.flags & HQ_FLAG_REQUIRE_CLIENT_CERT))) {
        c->auth_failed = 1;
        return NGTCP2_ERR_CALLBACK_FAILURE;
    }
    c->tokens_dirty = 1;
    if (!c->is_client) {
        c->state = HQC_ESTABLISHED;
        set_keep_alive(c);
        c->announced = 1;
        c->managed = 1;
        c->refs++;
        emit_conn(c, HQ_EV_CONN_ACCEPTED, c);
        announce_streams(c);
    }
    return 0;
}

static int cb_handshake_confirmed(ngtcp2_conn *conn, void *ud)
{
    (void)conn;
    hq_conn *c = ud;
    if (c->is_client && c->state == HQC_HANDSHAKE) {
        c->state = HQC_ESTABLISHED;
        set_keep_alive(c);
        emit_conn(c, HQ_EV_CONN_CONNECTED, NULL);
    }
    return 0;
}

static void fill_callbacks(ngtcp2_callbacks *cb, int server)
{
    memset(cb, 0, sizeof(*cb));
    if (server) {
        cb->recv_client_initial = ngtcp2_crypto_recv_client_initial_cb;
    } else {
        cb->client_initial = ngtcp2_crypto_client_initial_cb;
        cb->recv_retry = ngtcp2_crypto_recv_retry_cb;
    }
    cb->recv_crypto_data = ngtcp2_crypto_recv_crypto_data_cb;
    cb->encrypt = ngtcp2_crypto_encrypt_cb;
    cb->decrypt = ngtcp2_crypto_decrypt_cb;
    cb->hp_mask = ngtcp2_crypto_hp_mask_cb;
    cb->update_key = ngtcp2_crypto_update_key_cb;
    cb->delete_crypto_aead_ctx = ngtcp2_crypto_delete_crypto_aead_ctx_cb;
    cb->delete_crypto_cipher_ctx = ngtcp2_crypto_delete_crypto_cipher_ctx_cb;
    cb->get_path_challenge_data = ngtcp2_crypto_get_path_challenge_data_cb;
    cb->version_negotiation = ngtcp2_crypto_version_negotiation_cb;
    cb->handshake_completed = cb_handshake_completed;
    cb->handshake_confirmed = cb_handshake_confirmed;
    cb->recv_stream_data = cb_recv_stream_data;
    cb->acked_stream_data_offset = cb_acked_stream_data_offset;
    cb->stream_open = cb_stream_open;
    cb->stream_close = cb_stream_close;
    cb->stream_reset = cb_stream_reset;
    cb->recv_stateless_reset = cb_recv_stateless_reset;
    cb->extend_max_local_streams_bidi = cb_extend_max_local_streams;
    cb->extend_max_local_streams_uni = cb_extend_max_local_streams;
    cb->extend_max_stream_data = cb_extend_max_stream_data;
    cb->rand = cb_rand;
    cb->get_new_connection_id = cb_get_new_connection_id;
    cb->remove_connection_id = cb_remove_connection_id;
    cb->dcid_status = cb_dcid_status;
}

/* The UDP payload size for a path to an address of this host, or 0 for the standard QUIC size. Such a path runs over
 * the loopback device (MTU 64 KiB), and large packets cut the per-packet work that limits QUIC there (framing,
 * AEAD calls, ACKs, system calls) tenfold. A probe socket tells whether the address is ours (bind succeeds only for a
 * local address) and the route's MTU (IP_MTU after connect); any doubt means the standard size. */
static size_t local_path_payload(hq_endpoint *ep, const struct sockaddr *remote, socklen_t len)
{
    size_t want = (size_t)ep->cfg.local_max_payload;
    if (want <= NGTCP2_MAX_PMTUD_UDP_PAYLOAD_SIZE || len > sizeof(struct sockaddr_storage))
        return 0;
    struct sockaddr_storage ss;
    memcpy(&ss, remote, len);
    int v4 = 1;
    if (ss.ss_family == AF_INET) {
        ((struct sockaddr_in *)&ss)->sin_port = 0;
    } else if (ss.ss_family == AF_INET6) {
        ((struct sockaddr_in6 *)&ss)->sin6_port = 0;
        v4 = IN6_IS_ADDR_V4MAPPED(&((struct sockaddr_in6 *)&ss)->sin6_addr);
    } else {
        return 0;
    }
    int fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return 0;
    int mtu = 0;
    socklen_t ol = sizeof(mtu);
    int ok = bind(fd, (struct sockaddr *)&ss, len) == 0 && connect(fd, remote, len) == 0 &&
             (ss.ss_family == AF_INET ? getsockopt(fd, IPPROTO_IP, IP_MTU, &mtu, &ol)
                                      : getsockopt(fd, IPPROTO_IPV6, IPV6_MTU, &mtu, &ol)) == 0;
    close(fd);
    size_t hdr = v4 ? 20 + 8 : 40 + 8;
    if (!ok || mtu <= 0 || (size_t)mtu <= hdr)
        return 0;
    size_t have = (size_t)mtu - hdr;
    if (want > have)
        want = have;
    if (want > HQ_MAX_BATCH)
        want = HQ_MAX_BATCH;
    return want > NGTCP2_MAX_PMTUD_UDP_PAYLOAD_SIZE ? want : 0;
}

void hq_conn_settings(hq_conn *c, ngtcp2_settings *s, ngtcp2_transport_params *p, uint64_t ts)
{
    hq_endpoint *ep = c->ep;
    ngtcp2_settings_default(s);
    c->big_pkt = local_path_payload(ep, (const struct sockaddr *)&c->remote, c->remotelen);
    if (c->big_pkt) {
        /* no shaping: ngtcp2 fills the buffer we pass (1200 bytes until the handshake completed, see conn_write) */
        s->max_tx_udp_payload_size = c->big_pkt;
        s->no_tx_udp_payload_size_shaping = 1;
        s->no_pmtud = 1;
    }
    s->initial_ts = ts;
    s->cc_algo = (ngtcp2_cc_algo)ep->cfg.cc_algo;
    s->max_window = ep->cfg.max_window;
    s->max_stream_window = ep->cfg.max_stream_window;
    s->handshake_timeout = ep->cfg.handshake_timeout_ns;
    s->log_printf = (ep->cfg.flags & HQ_FLAG_DEBUG_LOG) ? log_printf : NULL;
    s->rand_ctx.native_handle = NULL; /* set to the hq_conn by the caller (see cb_rand) */
    ngtcp2_transport_params_default(p);
    p->initial_max_stream_data_bidi_local = ep->cfg.initial_max_stream_data;
    p->initial_max_stream_data_bidi_remote = ep->cfg.initial_max_stream_data;
    p->initial_max_stream_data_uni = ep->cfg.initial_max_stream_data;
    p->initial_max_data = ep->cfg.initial_max_data;
    p->initial_max_streams_bidi = ep->cfg.max_inbound_bidi;
    p->initial_max_streams_uni = ep->cfg.max_inbound_uni;
    p->max_idle_timeout = ep->cfg.idle_timeout_ns;
    p->active_connection_id_limit = HQ_NUM_CIDS;
    p->grease_quic_bit = 0; /* every packet we accept must keep the fixed bit: non-QUIC datagrams share the socket */
}

/* ---------------------------------------------------------------- lifecycle ---------------------- */

static hq_conn *conn_alloc(hq_endpoint *ep, int is_client)
{
    hq_conn *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->ep = ep;
    c->key = ep->next_key++;
    c->is_client = is_client;
    c->refs = 1;
    c->in_loop = 1;
    c->state = HQC_HANDSHAKE;
    c->expiry = UINT64_MAX;
    c->next = ep->conns;
    if (ep->conns)
        ep->conns->prev = c;
    ep->conns = c;
    ep->nconns++;
    ep->refs++;
    return c;
}

void hq_conn_unref_locked(hq_conn *c)
{
    if (--c->refs > 0)
        return;
    hq_endpoint *ep = c->ep;
    free(c->close_pkt);
    free(c);
    hq_ep_unref_locked(ep);
}

void hq_conn_report_closed(hq_conn *c)
{
    if (c->close_reported)
        return;
    c->close_reported = 1;
    if (c->announced)
        emit_conn(c, HQ_EV_CONN_CLOSED, NULL);
}

void hq_conn_destroy(hq_conn *c, int kind_if_unset)
{
    if (!c->in_loop)
        return;
    hq_endpoint *ep = c->ep;
    if (c->close_kind == 0)
        c->close_kind = kind_if_unset;
    hq_conn_report_closed(c);
    for (size_t i = 0; i < c->ncids; i++)
        hq_cidmap_del(&ep->map, &c->cids[i]);
    c->ncids = 0;
    ngtcp2_cid key;
    for (size_t i = 0; i < c->ntokens; i++) {
        ngtcp2_cid_init(&key, c->tokens[i], NGTCP2_STATELESS_RESET_TOKENLEN);
        hq_cidmap_del(&ep->tokens, &key);
    }
    c->ntokens = 0;
    c->refs++; /* keep c alive while its streams let go of it */
    while (c->streams)
        hq_stream_ng_closed(c->streams);
    if (c->conn)
        ngtcp2_conn_del(c->conn);
    c->conn = NULL;
    if (c->tls)
        gnutls_deinit(c->tls);
    c->tls = NULL;
    c->state = HQC_DEAD;
    c->in_loop = 0;
    if (c->prev)
        c->prev->next = c->next;
    else
        ep->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    c->next = c->prev = NULL;
    ep->nconns--;
    c->refs--;
    hq_conn_unref_locked(c); /* the loop's reference */
}

static uint64_t closing_period(hq_conn *c)
{
    uint64_t pto = c->conn ? ngtcp2_conn_get_pto(c->conn) : 0;
    if (pto < 10 * NGTCP2_MILLISECONDS)
        pto = 10 * NGTCP2_MILLISECONDS;
    return 3 * pto;
}

/* Writes CONNECTION_CLOSE and enters the closing period; destroys the connection if nothing can be
 * written (e.g. no keys yet). */
static void enter_closing(hq_conn *c, const ngtcp2_connection_close_error *ccerr, uint64_t ts)
{
    hq_endpoint *ep = c->ep;
    uint8_t buf[NGTCP2_MAX_UDP_PAYLOAD_SIZE * 2];
    ngtcp2_path_storage ps;
    ngtcp2_pkt_info pi = {0};
    ngtcp2_path_storage_zero(&ps);
    ngtcp2_ssize n = c->conn ? ngtcp2_conn_write_connection_close(c->conn, &ps.path, &pi, buf, sizeof(buf), ccerr, ts)
                             : -1;
    if (n <= 0) {
        hq_conn_destroy(c, HQ_CLOSE_INTERNAL);
        return;
    }
    free(c->close_pkt);
    c->close_pkt = malloc((size_t)n);
    if (c->close_pkt) {
        memcpy(c->close_pkt, buf, (size_t)n);
        c->close_pktlen = (size_t)n;
    }
    hq_send_batch(ep, buf, (size_t)n, (size_t)n, (struct sockaddr *)ps.path.remote.addr, ps.path.remote.addrlen,
                  (int)pi.ecn);
    c->pkts_sent++;
    c->state = HQC_CLOSING;
    c->close_deadline = ts + closing_period(c);
    c->expiry = c->close_deadline;
    c->close_rx = 0;
    c->close_next_reply = 1;
    hq_conn_report_closed(c);
}

void hq_conn_close_now(hq_conn *c, int kind, uint64_t app_code, uint64_t ts)
{
    if (c->state >= HQC_CLOSING)
        return;
    c->close_kind = kind;
    c->close_code = app_code;
    ngtcp2_connection_close_error ccerr;
    ngtcp2_connection_close_error_default(&ccerr);
    ngtcp2_connection_close_error_set_application_error(&ccerr, app_code, NULL, 0);
    enter_closing(c, &ccerr, ts);
}

void hq_conn_fail(hq_conn *c, int liberr, uint64_t ts)
{
    if (c->state >= HQC_CLOSING)
        return;
    ngtcp2_connection_close_error ccerr;
    ngtcp2_connection_close_error_default(&ccerr);
    c->close_liberr = liberr;
    switch (liberr) {
    case NGTCP2_ERR_DRAINING:
        if (c->got_reset) {
            c->close_kind = HQ_CLOSE_STATELESS_RESET;
        } else {
            ngtcp2_connection_close_error peer;
            ngtcp2_conn_get_connection_close_error(c->conn, &peer);
            c->close_kind = peer.type == NGTCP2_CONNECTION_CLOSE_ERROR_CODE_TYPE_APPLICATION ? HQ_CLOSE_PEER_APP
                                                                                            : HQ_CLOSE_PEER_TRANSPORT;
            c->close_code = peer.error_code;
        }
        c->state = HQC_DRAINING;
        c->close_deadline = ts + closing_period(c);
        c->expiry = c->close_deadline;
        hq_conn_report_closed(c);
        return;
    case NGTCP2_ERR_IDLE_CLOSE:
        hq_conn_destroy(c, HQ_CLOSE_IDLE);
        return;
    case NGTCP2_ERR_HANDSHAKE_TIMEOUT:
        hq_conn_destroy(c, HQ_CLOSE_HANDSHAKE_TIMEOUT);
        return;
    case NGTCP2_ERR_DROP_CONN:
    case NGTCP2_ERR_RETRY:
        hq_conn_destroy(c, HQ_CLOSE_PROTOCOL);
        return;
    case NGTCP2_ERR_CRYPTO: {
        uint8_t alert = ngtcp2_conn_get_tls_alert(c->conn);
        if (alert == 0)
            alert = c->auth_failed ? 42 /* bad_certificate */ : 40 /* handshake_failure */;
        c->close_kind = c->auth_failed ? HQ_CLOSE_AUTH_FAILED : c->alpn_failed ? HQ_CLOSE_ALPN : HQ_CLOSE_TLS_FAILED;
        ngtcp2_connection_close_error_set_transport_error_tls_alert(&ccerr, alert, NULL, 0);
        break;
    }
    case NGTCP2_ERR_CALLBACK_FAILURE:
        if (c->alpn_failed) {
            c->close_kind = HQ_CLOSE_ALPN;
            ngtcp2_connection_close_error_set_transport_error_tls_alert(&ccerr, 120 /* no_application_protocol */,
                                                                        NULL, 0);
        } else if (c->auth_failed) {
            c->close_kind = HQ_CLOSE_AUTH_FAILED;
            ngtcp2_connection_close_error_set_transport_error_tls_alert(&ccerr, 42 /* bad_certificate */, NULL, 0);
        } else {
            c->close_kind = HQ_CLOSE_INTERNAL;
            ngtcp2_connection_close_error_set_transport_error_liberr(&ccerr, liberr, NULL, 0);
        }
        break;
    default:
        c->close_kind = HQ_CLOSE_PROTOCOL;
        ngtcp2_connection_close_error_set_transport_error_liberr(&ccerr, liberr, NULL, 0);
        break;
    }
    c->close_code = ccerr.error_code;
    enter_closing(c, &ccerr, ts);
}

void hq_conn_icmp_error(hq_conn *c, int kind)
{
    if (c->state != HQC_HANDSHAKE || !c->is_client)
        return; /* ICMP is unauthenticated: only trusted before anything was heard from the peer */
    hq_conn_destroy(c, kind);
}

hq_conn *hq_conn_new_server(hq_endpoint *ep, const ngtcp2_pkt_hd *hd, const struct sockaddr *from, socklen_t fromlen,
                            uint64_t ts)
{
    hq_conn *c = conn_alloc(ep, 0);
    if (!c)
        return NULL;
    memcpy(&c->remote, from, fromlen);
    c->remotelen = fromlen;
    c->started = 1;
    ngtcp2_cid scid;
    scid.datalen = HQ_SCIDLEN;
    do {
        gnutls_rnd(GNUTLS_RND_RANDOM, scid.data, HQ_SCIDLEN);
    } while (hq_cidmap_find(&ep->map, scid.data, HQ_SCIDLEN));
    ngtcp2_settings settings;
    ngtcp2_transport_params params;
    hq_conn_settings(c, &settings, &params, ts);
    params.original_dcid = hd->dcid;
    params.stateless_reset_token_present = 1;
    ngtcp2_crypto_generate_stateless_reset_token(params.stateless_reset_token, ep->reset_secret,
                                                 sizeof(ep->reset_secret), &scid);
    ngtcp2_path path = {{(struct sockaddr *)&ep->local, ep->locallen}, {(struct sockaddr *)from, fromlen}, NULL};
    ngtcp2_callbacks cb;
    fill_callbacks(&cb, 1);
    settings.rand_ctx.native_handle = c;
    c->creating = 1;
    int rv = ngtcp2_conn_server_new(&c->conn, &hd->scid, &scid, &path, hd->version, &cb, &settings, &params, NULL, c);
    c->creating = 0;
    if (rv != 0) {
        c->conn = NULL;
        hq_conn_destroy(c, HQ_CLOSE_INTERNAL);
        return NULL;
    }
    if (hq_tls_conn_init(c) != 0 || add_cid(c, &scid) != 0 || add_cid(c, &hd->dcid) != 0) {
        hq_conn_destroy(c, HQ_CLOSE_INTERNAL);
        return NULL;
    }
    return c;
}

/* ---------------------------------------------------------------- input -------------------------- */

void hq_conn_read(hq_conn *c, const uint8_t *data, size_t len, const struct sockaddr *from, socklen_t fromlen,
                  int ecn, uint64_t ts)
{
    c->pkts_recv++;
    if (c->state == HQC_CLOSING) {
        /* answer with our CONNECTION_CLOSE, less and less often (RFC 9000 10.2.1) */
        if (++c->close_rx >= c->close_next_reply && c->close_pkt) {
            c->close_next_reply *= 2;
            hq_send_batch(c->ep, c->close_pkt, c->close_pktlen, c->close_pktlen, from, fromlen, 0);
        }
        return;
    }
    if (c->state >= HQC_DRAINING || !c->conn || !c->started)
        return;
    ngtcp2_path path = {{(struct sockaddr *)&c->ep->local, c->ep->locallen}, {(struct sockaddr *)from, fromlen}, NULL};
    ngtcp2_pkt_info pi = {(uint32_t)ecn};
    int rv = ngtcp2_conn_read_pkt(c->conn, &path, &pi, data, len, ts);
    if (rv != 0) {
        if (rv == NGTCP2_ERR_DISCARD_PKT || rv == NGTCP2_ERR_DECRYPT)
            return; /* not ours, or garbage: ignore */
        hq_conn_fail(c, rv, ts);
        return;
    }
    c->dirty = 1;
}

/* ---------------------------------------------------------------- output ------------------------- */

static hq_stream *pick_stream(hq_conn *c)
{
    hq_stream *best = NULL, *first = NULL;
    for (hq_stream *s = c->streams; s; s = s->next) {
        if (!hq_stream_has_pending(s))
            continue;
        if (s->id >= c->rr_next && (!best || s->id < best->id))
            best = s;
        if (!first || s->id < first->id)
            first = s;
    }
    return best ? best : first;
}

static size_t build_vec(hq_stream *s, ngtcp2_vec *vec, size_t max, int *fin)
{
    size_t n = 0;
    uint64_t end = s->s_sent;
    for (hq_chunk *k = s->sh; k && n < max; k = k->next) {
        uint64_t kend = k->offset + k->len;
        if (kend <= s->s_sent)
            continue;
        uint64_t start = s->s_sent > k->offset ? s->s_sent : k->offset;
        vec[n].base = k->data + (start - k->offset);
        vec[n].len = (size_t)(kend - start);
        end = kend;
        n++;
    }
    *fin = s->fin_req && !s->fin_sent && end == s->s_written;
    return n;
}

static int flush(hq_conn *c, uint8_t *buf, size_t len, size_t gso, const struct sockaddr_storage *to, socklen_t tolen,
                 int ecn)
{
    hq_endpoint *ep = c->ep;
    if (len == 0)
        return 1;
    /* The batch is complete packets in the I/O thread's own buffer: API callers may take the mutex while
       the kernel copies it (no packet is half written, so ngtcp2 may be touched in between). */
    pthread_mutex_unlock(&ep->mu);
    int sent = hq_send_batch(ep, buf, len, gso, (const struct sockaddr *)to, tolen, ecn);
    pthread_mutex_lock(&ep->mu);
    if (sent)
        return 1;
    /* socket buffer full: keep the batch, stop writing until POLLOUT */
    memcpy(ep->pend, buf, len);
    ep->pend_len = len;
    ep->pend_gso = gso;
    memcpy(&ep->pend_to, to, tolen);
    ep->pend_tolen = tolen;
    ep->pend_ecn = ecn;
    return 0;
}

static uint64_t bytes_in_flight(hq_conn *c)
{
    ngtcp2_conn_stat st;
    ngtcp2_conn_get_conn_stat(c->conn, &st);
    return st.bytes_in_flight;
}

/* A connection on a local path (big_pkt) sends large packets only once the handshake completed (ngtcp2 pads the
 * client's Initial to the whole buffer) and only while the peer is still at the local address it started from; any
 * other path gets the QUIC minimum, which every path carries. */
static int big_packets_ok(hq_conn *c)
{
    if (!ngtcp2_conn_get_handshake_completed(c->conn))
        return 0;
    hq_addr now, start;
    hq_addr_from_sockaddr(&now, ngtcp2_conn_get_path(c->conn)->remote.addr);
    hq_addr_from_sockaddr(&start, (const struct sockaddr *)&c->remote);
    return memcmp(&now, &start, sizeof(now)) == 0;
}

static void conn_write(hq_conn *c, uint64_t ts)
{
    hq_endpoint *ep = c->ep;
    if (ep->pend_len)
        return;
    ngtcp2_path_storage ps;
    ngtcp2_path_storage_zero(&ps);
    ngtcp2_pkt_info pi = {0};
    size_t pktmax = ngtcp2_conn_get_max_tx_udp_payload_size(c->conn);
    if (c->big_pkt && !big_packets_ok(c))
        pktmax = NGTCP2_MAX_UDP_PAYLOAD_SIZE;
    size_t max_pkts = ngtcp2_conn_get_send_quantum(c->conn) / pktmax;
    if (max_pkts < 1)
        max_pkts = 1;
    if (max_pkts > HQ_MAX_GSO_SEGMENTS)
        max_pkts = HQ_MAX_GSO_SEGMENTS;
    if (max_pkts > HQ_MAX_BATCH / pktmax)
        max_pkts = HQ_MAX_BATCH / pktmax;
    size_t batch_max = ep->gso ? max_pkts : 1;
    /* A local path has no queue between us and the peer's socket but its receive buffer, and BBR's window (three send
       quanta of at least 10 packets, plus twice the BDP: 2 MiB with 64 KiB packets) overflows an unprivileged default
       buffer (2 x 208 KiB) and adds milliseconds of queueing. Stream data waits for ACKs once the bytes in flight
       reach HQ_LOCAL_INFLIGHT or half our own receive buffer (an endpoint of this library on the same host has the
       same), though one packet may always be in flight. */
    uint64_t inflight_cap = UINT64_MAX;
    if (c->big_pkt && pktmax == c->big_pkt) {
        inflight_cap = (uint64_t)ep->rcvbuf / 2;
        if (inflight_cap > HQ_LOCAL_INFLIGHT)
            inflight_cap = HQ_LOCAL_INFLIGHT;
    }
    uint8_t *buf = ep->txbuf;
    size_t off = 0, gso = 0, inbatch = 0, total = 0;
    int becn = 0;
    struct sockaddr_storage to;
    socklen_t tolen = 0;

    for (;;) {
        hq_stream *s = NULL;
        if (inflight_cap == UINT64_MAX) {
            s = pick_stream(c);
        } else {
            uint64_t inflight = bytes_in_flight(c);
            if (inflight == 0 || inflight + pktmax <= inflight_cap)
                s = pick_stream(c);
        }
        ngtcp2_vec vec[4];
        size_t nvec = 0;
        int fin = 0;
        int64_t sid = -1;
        uint32_t flags = NGTCP2_WRITE_STREAM_FLAG_MORE;
        if (s) {
            s->refs++;
            sid = s->id;
            nvec = build_vec(s, vec, 4, &fin); /* 4 chunks of 64 KiB cover any packet */
            if (fin)
                flags |= NGTCP2_WRITE_STREAM_FLAG_FIN;
        }
        ngtcp2_ssize ndatalen = -1;
        ngtcp2_ssize nwrite = ngtcp2_conn_writev_stream(c->conn, &ps.path, &pi, buf + off, pktmax, &ndatalen, flags,
                                                        sid, vec, nvec, ts);
        if (s) {
            if (ndatalen >= 0) {
                s->s_sent += (uint64_t)ndatalen;
                if (fin && s->s_sent == s->s_written) {
                    s->fin_sent = 1;
                    s->fin_alone = ndatalen == 0;
                }
                c->rr_next = s->id + 4;
            }
            if (nwrite == NGTCP2_ERR_STREAM_DATA_BLOCKED) {
                s->send_blocked = 1;
            } else if (nwrite == NGTCP2_ERR_STREAM_SHUT_WR || nwrite == NGTCP2_ERR_STREAM_NOT_FOUND) {
                if (!s->wr_shut && !s->peer_stop) {
                    s->peer_stop = 1;
                    s->want_write = 0;
                    if (!s->stop_reported) {
                        s->stop_reported = 1;
                        hq_stream_emit(s, HQ_EV_STREAM_PEER_STOP, 0, 0);
                    }
                }
                s->peer_stop = 1;
            }
            hq_stream_unref_locked(s);
        }
        if (nwrite < 0) {
            if (nwrite == NGTCP2_ERR_WRITE_MORE)
                continue;
            if (s && (nwrite == NGTCP2_ERR_STREAM_DATA_BLOCKED || nwrite == NGTCP2_ERR_STREAM_SHUT_WR ||
                      nwrite == NGTCP2_ERR_STREAM_NOT_FOUND))
                continue;
            flush(c, buf, off, gso, &to, tolen, becn);
            hq_conn_fail(c, (int)nwrite, ts);
            return;
        }
        if (nwrite == 0) {
            flush(c, buf, off, gso, &to, tolen, becn);
            if (total)
                ngtcp2_conn_update_pkt_tx_time(c->conn, ts);
            c->dirty = 0;
            return;
        }
        c->pkts_sent++;
        total++;
        int same_path = inbatch > 0 && tolen == ps.path.remote.addrlen &&
                        memcmp(&to, ps.path.remote.addr, tolen) == 0 && becn == (int)pi.ecn;
        if (inbatch > 0 && (!same_path || (size_t)nwrite > gso)) {
            /* cannot join the batch: send the batch, move this packet to the front */
            if (!flush(c, buf, off, gso, &to, tolen, becn)) {
                ngtcp2_conn_update_pkt_tx_time(c->conn, ts);
                return; /* this packet is lost; ngtcp2 will retransmit its contents */
            }
            memmove(buf, buf + off, (size_t)nwrite);
            off = 0;
            inbatch = 0;
        }
        if (inbatch == 0) {
            tolen = ps.path.remote.addrlen;
            memcpy(&to, ps.path.remote.addr, tolen);
            becn = (int)pi.ecn;
            gso = (size_t)nwrite;
        }
        off += (size_t)nwrite;
        inbatch++;
        if (inbatch >= batch_max || (size_t)nwrite < gso || off + pktmax > HQ_MAX_BATCH) {
            int ok = flush(c, buf, off, gso, &to, tolen, becn);
            off = 0;
            inbatch = 0;
            if (!ok) {
                ngtcp2_conn_update_pkt_tx_time(c->conn, ts);
                return;
            }
        }
        if (total >= max_pkts) {
            flush(c, buf, off, gso, &to, tolen, becn);
            ngtcp2_conn_update_pkt_tx_time(c->conn, ts);
            return; /* pacing: the expiry brings us back; stay dirty */
        }
    }
}

static void conn_process(hq_conn *c, uint64_t ts);

/* Runs with a temporary reference: a failure on any path below may destroy the connection, and the
   loop's reference is then the last one. */
void hq_conn_process(hq_conn *c, uint64_t ts)
{
    c->refs++;
    conn_process(c, ts);
    hq_conn_unref_locked(c);
}

static void conn_process(hq_conn *c, uint64_t ts)
{
    if (c->state == HQC_DEAD)
        return;
    if (c->state >= HQC_CLOSING) {
        if (ts >= c->close_deadline)
            hq_conn_destroy(c, HQ_CLOSE_INTERNAL);
        else
            c->expiry = c->close_deadline;
        return;
    }
    if (!c->started) {
        if (c->close_req)
            hq_conn_destroy(c, HQ_CLOSE_LOCAL_APP);
        return;
    }
    if (c->close_req) {
        hq_conn_close_now(c, HQ_CLOSE_LOCAL_APP, c->close_req_code, ts);
        return;
    }
    if (ngtcp2_conn_get_expiry(c->conn) <= ts) {
        int rv = ngtcp2_conn_handle_expiry(c->conn, ts);
        if (rv != 0) {
            hq_conn_fail(c, rv, ts);
            return;
        }
        c->dirty = 1;
    }
    if (c->dirty)
        conn_write(c, ts);
    if (c->state < HQC_CLOSING && c->conn) {
        if (c->tokens_dirty)
            sync_tokens(c);
        c->expiry = ngtcp2_conn_get_expiry(c->conn);
    }
}

/* ---------------------------------------------------------------- API ---------------------------- */

int32_t hq_conn_create_client(hq_endpoint *ep, const hq_addr *remote, const uint8_t *expected_key,
                              uint64_t expected_key_len, hq_conn **out, uint64_t *key, int32_t *err)
{
    struct sockaddr_storage ss;
    socklen_t sslen;
    int32_t rc = HQ_OK;
    *err = 0;
    if (expected_key && expected_key_len != 32)
        return HQ_ERR_INVALID;
    pthread_mutex_lock(&ep->mu);
    if (ep->shut) {
        rc = HQ_ERR_CLOSED;
        goto out;
    }
    if (hq_sockaddr_from_addr(ep, remote, &ss, &sslen) != 0) {
        rc = HQ_ERR_INVALID;
        goto out;
    }
    if (ep->nconns >= ep->cfg.max_connections) {
        rc = HQ_ERR_LIMIT;
        goto out;
    }
    hq_conn *c = conn_alloc(ep, 1);
    if (!c) {
        rc = HQ_ERR_NOMEM;
        goto out;
    }
    memcpy(&c->remote, &ss, sslen);
    c->remotelen = sslen;
    if (expected_key) {
        memcpy(c->expected_key, expected_key, 32);
        c->expected_key_set = 1;
    }
    ngtcp2_cid dcid, scid;
    dcid.datalen = 18;
    gnutls_rnd(GNUTLS_RND_RANDOM, dcid.data, dcid.datalen);
    scid.datalen = HQ_SCIDLEN;
    do {
        gnutls_rnd(GNUTLS_RND_RANDOM, scid.data, HQ_SCIDLEN);
    } while (hq_cidmap_find(&ep->map, scid.data, HQ_SCIDLEN));
    uint64_t ts = hq_now();
    ngtcp2_settings settings;
    ngtcp2_transport_params params;
    hq_conn_settings(c, &settings, &params, ts);
    ngtcp2_path path = {{(struct sockaddr *)&ep->local, ep->locallen}, {(struct sockaddr *)&c->remote, sslen}, NULL};
    ngtcp2_callbacks cb;
    fill_callbacks(&cb, 0);
    settings.rand_ctx.native_handle = c;
    c->creating = 1;
    int rv = ngtcp2_conn_client_new(&c->conn, &dcid, &scid, &path, NGTCP2_PROTO_VER_V1, &cb, &settings, &params, NULL,
                                    c);
    c->creating = 0;
    if (rv != 0) {
        c->conn = NULL;
        *err = rv;
        hq_conn_destroy(c, HQ_CLOSE_INTERNAL);
        rc = HQ_ERR_NGTCP2;
        goto out;
    }
    if (hq_tls_conn_init(c) != 0) {
        hq_conn_destroy(c, HQ_CLOSE_INTERNAL);
        rc = HQ_ERR_TLS;
        goto out;
    }
    if (add_cid(c, &scid) != 0) {
        hq_conn_destroy(c, HQ_CLOSE_INTERNAL);
        rc = HQ_ERR_NOMEM;
        goto out;
    }
    c->managed = 1;
    c->refs++;
    *out = c;
    *key = c->key;
out:
    hq_unlock(ep);
    return rc;
}

int32_t hq_conn_start(hq_conn *c)
{
    hq_endpoint *ep = c->ep;
    int32_t rc = HQ_OK;
    pthread_mutex_lock(&ep->mu);
    if (c->state >= HQC_CLOSING || ep->shut) {
        rc = HQ_ERR_CLOSED;
    } else if (!c->started) {
        c->started = 1;
        c->announced = 1;
        c->dirty = 1;
        c->expiry = 0;
        hq_wake(ep);
    }
    pthread_mutex_unlock(&ep->mu);
    return rc;
}

int32_t hq_conn_get_info(hq_conn *c, hq_conn_info *info)
{
    hq_endpoint *ep = c->ep;
    memset(info, 0, sizeof(*info));
    pthread_mutex_lock(&ep->mu);
    info->key = c->key;
    info->is_client = c->is_client;
    hq_addr_from_sockaddr(&info->local, (struct sockaddr *)&ep->local);
    const ngtcp2_path *p = c->conn ? ngtcp2_conn_get_path(c->conn) : NULL;
    if (p && p->remote.addrlen)
        hq_addr_from_sockaddr(&info->remote, p->remote.addr);
    else
        hq_addr_from_sockaddr(&info->remote, (struct sockaddr *)&c->remote);
    if (c->peer_key_set) {
        memcpy(info->peer_key, c->peer_key, 32);
        info->peer_key_len = 32;
    }
    if (c->conn) {
        ngtcp2_conn_stat st;
        ngtcp2_conn_get_conn_stat(c->conn, &st);
        info->smoothed_rtt_ns = st.smoothed_rtt;
        info->min_rtt_ns = st.min_rtt;
        info->cwnd = st.cwnd;
        info->bytes_in_flight = st.bytes_in_flight;
        info->pkts_lost_hint = st.pto_count;
    }
    info->pkts_sent = c->pkts_sent;
    info->pkts_recv = c->pkts_recv;
    pthread_mutex_unlock(&ep->mu);
    return HQ_OK;
}

int32_t hq_conn_open_stream(hq_conn *c, int32_t bidi, hq_stream **out, int64_t *stream_id)
{
    hq_endpoint *ep = c->ep;
    int32_t rc = HQ_OK;
    pthread_mutex_lock(&ep->mu);
    if (c->state >= HQC_CLOSING || !c->conn || ep->shut) {
        rc = HQ_ERR_CLOSED;
        goto out;
    }
    int64_t id;
    int rv = bidi ? ngtcp2_conn_open_bidi_stream(c->conn, &id, NULL) : ngtcp2_conn_open_uni_stream(c->conn, &id, NULL);
    if (rv == NGTCP2_ERR_STREAM_ID_BLOCKED) {
        if (bidi)
            c->want_bidi = 1;
        else
            c->want_uni = 1;
        rc = HQ_AGAIN;
        goto out;
    }
    if (rv != 0) {
        rc = HQ_ERR_NGTCP2;
        goto out;
    }
    hq_stream *s = hq_stream_new(c, id);
    if (!s) {
        ngtcp2_conn_shutdown_stream(c->conn, id, 0);
        rc = HQ_ERR_NOMEM;
        goto out;
    }
    ngtcp2_conn_set_stream_user_data(c->conn, id, s);
    s->managed = 1;
    s->refs++;
    *out = s;
    *stream_id = id;
out:
    pthread_mutex_unlock(&ep->mu);
    return rc;
}

int32_t hq_conn_close(hq_conn *c, uint64_t app_code)
{
    hq_endpoint *ep = c->ep;
    pthread_mutex_lock(&ep->mu);
    if (c->in_loop && c->state < HQC_CLOSING && !ep->shut && !c->close_req) {
        c->close_req = 1;
        c->close_req_code = app_code;
        c->dirty = 1;
        hq_wake(ep);
    }
    pthread_mutex_unlock(&ep->mu);
    return HQ_OK;
}

void hq_conn_release(hq_conn *c)
{
    hq_endpoint *ep = c->ep;
    pthread_mutex_lock(&ep->mu);
    if (c->managed) {
        c->managed = 0;
        if (c->in_loop && c->state < HQC_CLOSING && !ep->shut && !c->close_req) {
            c->close_req = 1;
            c->close_req_code = 0;
            c->dirty = 1;
            hq_wake(ep);
        }
        hq_conn_unref_locked(c);
    }
    hq_unlock(ep);
}

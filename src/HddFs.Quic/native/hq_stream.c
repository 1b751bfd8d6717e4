/*
 * Streams: native send and receive buffers and the stream half of the API.
 *
 * Buffer ownership: send data is copied from the caller into fixed HQ_CHUNK-sized chunks that never
 * move; ngtcp2 keeps pointers into them until acked_stream_data_offset reports the bytes acknowledged
 * (or the stream/connection is gone), and only then is a chunk freed. Received data is copied out of
 * ngtcp2's packet buffer into receive chunks and freed as the application reads it; flow-control
 * credit (extend_max_stream_offset / extend_max_offset) is returned only for bytes the application
 * consumed, so a reader that stops reading stops the sender. All functions run with ep->mu held.
 */
#include <stdlib.h>
#include <string.h>

#include "hq_internal.h"

static void chunk_free(hq_endpoint *ep, hq_chunk *k)
{
    if (ep->npool < HQ_CHUNK_POOL) {
        k->next = ep->pool;
        ep->pool = k;
        ep->npool++;
    } else {
        free(k);
    }
}

static void free_chunks(hq_endpoint *ep, hq_chunk *h)
{
    while (h) {
        hq_chunk *n = h->next;
        chunk_free(ep, h);
        h = n;
    }
}

void hq_chunk_pool_free(hq_endpoint *ep)
{
    while (ep->pool) {
        hq_chunk *n = ep->pool->next;
        free(ep->pool);
        ep->pool = n;
    }
    ep->npool = 0;
}

static hq_chunk *chunk_new(hq_endpoint *ep, uint64_t offset)
{
    hq_chunk *k = ep->pool;
    if (k) {
        ep->pool = k->next;
        ep->npool--;
    } else {
        k = malloc(sizeof(hq_chunk) + HQ_CHUNK);
        if (!k)
            return NULL;
    }
    k->next = NULL;
    k->offset = offset;
    k->len = 0;
    k->pos = 0;
    k->cap = HQ_CHUNK;
    return k;
}

hq_stream *hq_stream_new(hq_conn *c, int64_t id)
{
    hq_stream *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->c = c;
    s->id = id;
    s->refs = 1;
    s->ng_open = 1;
    int bidi = (id & 2) == 0;
    int client_initiated = (id & 1) == 0;
    int local = client_initiated == (c->is_client != 0);
    s->can_read = bidi || !local;
    s->can_write = bidi || local;
    c->refs++;
    s->next = c->streams;
    if (c->streams)
        c->streams->prev = s;
    c->streams = s;
    return s;
}

void hq_stream_emit(hq_stream *s, uint32_t type, uint32_t flags, uint64_t code)
{
    if (!s->managed || !s->c->announced)
        return;
    hq_event ev;
    memset(&ev, 0, sizeof(ev));
    ev.type = type;
    ev.flags = flags;
    ev.conn_key = s->c->key;
    ev.stream_id = s->id;
    ev.code = code;
    hq_ev_push(s->c->ep, &ev);
}

static void stream_free(hq_stream *s)
{
    hq_conn *c = s->c;
    free_chunks(c->ep, s->sh);
    free_chunks(c->ep, s->rh);
    free(s);
    hq_conn_unref_locked(c);
}

void hq_stream_unref_locked(hq_stream *s)
{
    if (--s->refs == 0)
        stream_free(s);
}

int hq_stream_has_pending(const hq_stream *s)
{
    return s->ng_open && s->can_write && !s->wr_shut && !s->peer_stop && !s->send_blocked &&
           (s->s_sent < s->s_written || (s->fin_req && !s->fin_sent));
}

void hq_conn_wake_writers(hq_conn *c)
{
    uint64_t cap = c->ep->cfg.conn_send_buffer;
    if (!c->want_write_any || c->s_buffered > cap / 2)
        return;
    c->want_write_any = 0;
    for (hq_stream *s = c->streams; s; s = s->next) {
        if (s->want_write) {
            s->want_write = 0;
            hq_stream_emit(s, HQ_EV_STREAM_WRITABLE, 0, 0);
        }
    }
}

void hq_stream_free_send(hq_stream *s)
{
    hq_conn *c = s->c;
    free_chunks(c->ep, s->sh);
    s->sh = s->st = NULL;
    uint64_t buffered = s->s_written - s->s_acked;
    if (!s->unaccounted)
        c->s_buffered = c->s_buffered >= buffered ? c->s_buffered - buffered : 0;
    s->unaccounted = 1;
    s->s_acked = s->s_sent = s->s_written;
    hq_conn_wake_writers(c);
}

static void mark_writes_done(hq_stream *s)
{
    if (s->fin_acked)
        return;
    s->fin_acked = 1;
    if (!s->done_reported) {
        s->done_reported = 1;
        hq_stream_emit(s, HQ_EV_STREAM_WRITES_DONE, 0, 0);
    }
}

void hq_stream_ng_closed(hq_stream *s)
{
    if (!s->ng_open)
        return;
    hq_conn *c = s->c;
    s->ng_open = 0;
    if (s->prev)
        s->prev->next = s->next;
    else
        c->streams = s->next;
    if (s->next)
        s->next->prev = s->prev;
    s->next = s->prev = NULL;
    int clean = s->fin_sent && !s->wr_shut && !s->peer_stop;
    hq_stream_free_send(s);
    if (clean)
        mark_writes_done(s);
    if (s->want_read) {
        s->want_read = 0;
        hq_stream_emit(s, HQ_EV_STREAM_READABLE, 0, 0);
    }
    if (s->want_write) {
        s->want_write = 0;
        hq_stream_emit(s, HQ_EV_STREAM_WRITABLE, 0, 0);
    }
    hq_stream_unref_locked(s);
}

int hq_stream_on_data(hq_stream *s, const uint8_t *data, size_t len, int fin)
{
    hq_conn *c = s->c;
    if (s->rd_shut || s->peer_reset || !s->can_read) {
        /* nobody will read it: give the connection-level credit back at once */
        if (len)
            ngtcp2_conn_extend_max_offset(c->conn, len);
        return 0;
    }
    size_t done = 0;
    while (done < len) {
        hq_chunk *t = s->rt;
        if (!t || t->len == t->cap) {
            t = chunk_new(c->ep, 0);
            if (!t)
                return -1;
            if (s->rt)
                s->rt->next = t;
            else
                s->rh = t;
            s->rt = t;
        }
        size_t k = len - done < t->cap - t->len ? len - done : t->cap - t->len;
        memcpy(t->data + t->len, data + done, k);
        t->len += k;
        done += k;
    }
    s->r_avail += len;
    if (fin)
        s->r_fin = 1;
    if (s->want_read && (len > 0 || fin)) {
        s->want_read = 0;
        hq_stream_emit(s, HQ_EV_STREAM_READABLE, 0, 0);
    }
    return 0;
}

void hq_stream_on_acked(hq_stream *s, uint64_t offset, uint64_t len)
{
    hq_conn *c = s->c;
    uint64_t end = offset + len;
    if (end > s->s_acked && end <= s->s_written) {
        uint64_t d = end - s->s_acked;
        if (!s->unaccounted)
            c->s_buffered = c->s_buffered >= d ? c->s_buffered - d : 0;
        s->s_acked = end;
    }
    while (s->sh && s->sh->offset + s->sh->len <= s->s_acked && (s->sh != s->st || s->sh->len == s->sh->cap)) {
        hq_chunk *h = s->sh;
        s->sh = h->next;
        if (s->st == h)
            s->st = NULL;
        chunk_free(c->ep, h);
    }
    if (s->fin_sent && s->s_acked >= s->s_written && !s->wr_shut && !s->peer_stop)
        mark_writes_done(s);
    if (s->want_write && s->s_written - s->s_acked <= c->ep->cfg.stream_send_buffer / 2 &&
        c->s_buffered < c->ep->cfg.conn_send_buffer) {
        s->want_write = 0;
        hq_stream_emit(s, HQ_EV_STREAM_WRITABLE, 0, 0);
    }
    hq_conn_wake_writers(c);
}

static void drop_received(hq_stream *s)
{
    hq_conn *c = s->c;
    if (s->r_avail && c->conn && c->state < HQC_CLOSING)
        ngtcp2_conn_extend_max_offset(c->conn, s->r_avail);
    free_chunks(c->ep, s->rh);
    s->rh = s->rt = NULL;
    s->r_avail = 0;
}

void hq_stream_on_reset(hq_stream *s, uint64_t code)
{
    if (s->peer_reset)
        return;
    s->peer_reset = 1;
    s->peer_reset_code = code;
    drop_received(s);
    s->want_read = 0;
    if (!s->reset_reported) {
        s->reset_reported = 1;
        hq_stream_emit(s, HQ_EV_STREAM_PEER_RESET, HQ_EVF_CODE, code);
    }
}

/* ---------------------------------------------------------------- API ---------------------------- */

static void lock(hq_stream *s)
{
    pthread_mutex_lock(&s->c->ep->mu);
}

int64_t hq_stream_read(hq_stream *s, uint8_t *buf, uint64_t len, uint64_t *code)
{
    hq_conn *c = s->c;
    hq_endpoint *ep = c->ep;
    uint64_t total = 0;
    int64_t rc = 0;
    lock(s);
    *code = 0;
    if (!s->can_read) {
        rc = HQ_ERR_STATE;
    } else if (s->peer_reset) {
        *code = s->peer_reset_code;
        rc = HQ_ERR_STREAM_RESET;
    } else if (s->rd_shut) {
        rc = HQ_ERR_ABORTED;
    } else if (s->r_avail == 0) {
        if (total > 0) {
            rc = 0; /* return what we have */
        } else if (s->r_fin) {
            s->r_fin_read = 1;
            rc = 0;
        } else if (c->state >= HQC_CLOSING || ep->shut || !s->ng_open) {
            rc = HQ_ERR_CLOSED;
        } else {
            s->want_read = 1;
            rc = HQ_AGAIN;
        }
    } else if (len == 0) {
        rc = 0;
    } else {
        /* copied under the mutex in one go: releasing it between slices was measured slower (more lock
           hand-offs between this thread and the I/O thread) */
        uint64_t n = len < s->r_avail ? len : s->r_avail, done = 0;
        while (done < n) {
            hq_chunk *h = s->rh;
            size_t k = h->len - h->pos;
            if (k > n - done)
                k = (size_t)(n - done);
            memcpy(buf + done, h->data + h->pos, k);
            h->pos += k;
            done += k;
            if (h->pos == h->len && (h != s->rt || h->len == h->cap)) {
                s->rh = h->next;
                if (s->rt == h)
                    s->rt = NULL;
                chunk_free(ep, h);
            }
        }
        s->r_avail -= n;
        total += n;
        if (c->conn && c->state < HQC_CLOSING && !ep->shut) {
            if (s->ng_open)
                ngtcp2_conn_extend_max_stream_offset(c->conn, s->id, n);
            ngtcp2_conn_extend_max_offset(c->conn, n);
            s->r_unannounced += n;
        }
        rc = 0;
    }
    /* ngtcp2 sends MAX_(STREAM_)DATA with its next packet; wake the loop for it only once enough credit piled
       up (the peer cannot be blocked on less) or before the reader waits */
    if (s->r_unannounced && (s->r_unannounced >= HQ_CREDIT_WAKE || s->r_avail == 0) && c->conn &&
        c->state < HQC_CLOSING && !ep->shut) {
        s->r_unannounced = 0;
        c->dirty = 1;
        hq_wake(ep);
    }
    pthread_mutex_unlock(&ep->mu);
    if (total > 0)
        return (int64_t)total; /* an error after some bytes shows on the next call */
    return rc;
}

static size_t append_send(hq_stream *s, const uint8_t *buf, size_t n)
{
    size_t done = 0;
    while (done < n) {
        hq_chunk *t = s->st;
        if (!t || t->len == t->cap) {
            t = chunk_new(s->c->ep, s->s_written);
            if (!t)
                break;
            if (s->st)
                s->st->next = t;
            else
                s->sh = t;
            s->st = t;
        }
        size_t k = n - done < t->cap - t->len ? n - done : t->cap - t->len;
        memcpy(t->data + t->len, buf + done, k);
        t->len += k;
        done += k;
        s->s_written += k;
    }
    return done;
}

int64_t hq_stream_write(hq_stream *s, const uint8_t *buf, uint64_t len, int32_t fin, uint64_t *code)
{
    hq_conn *c = s->c;
    hq_endpoint *ep = c->ep;
    uint64_t total = 0;
    int64_t rc = 0;
    int wake = 0;
    lock(s);
    *code = 0;
    if (!s->can_write) {
        rc = HQ_ERR_STATE;
    } else if (s->wr_shut) {
        rc = HQ_ERR_ABORTED;
    } else if (s->peer_stop) {
        *code = s->peer_stop_code;
        rc = HQ_ERR_STREAM_STOPPED;
    } else if (c->state >= HQC_CLOSING || ep->shut || !c->conn) {
        rc = HQ_ERR_CLOSED;
    } else if (s->fin_req || !s->ng_open) {
        rc = HQ_ERR_STATE;
    } else {
        uint64_t scap = ep->cfg.stream_send_buffer, ccap = ep->cfg.conn_send_buffer;
        uint64_t sbuf = s->unaccounted ? 0 : s->s_written - s->s_acked;
        uint64_t room = sbuf < scap ? scap - sbuf : 0;
        uint64_t croom = c->s_buffered < ccap ? ccap - c->s_buffered : 0;
        if (croom < room)
            room = croom;
        uint64_t n = len < room ? len : room;
        if (n == 0 && len > 0) {
            s->want_write = 1;
            if (croom == 0)
                c->want_write_any = 1;
            rc = HQ_AGAIN;
        } else {
            /* a stream that already had unsent data is limited by congestion/flow control or pacing, and
               an ACK, MAX_STREAM_DATA or the pacing timer wakes the loop: no eventfd write needed */
            if (!hq_stream_has_pending(s))
                wake = 1;
            size_t done = append_send(s, buf, (size_t)n);
            c->s_buffered += done;
            total = done;
            if (done < n && done == 0) {
                rc = HQ_ERR_NOMEM;
            } else {
                if (fin && done == len)
                    s->fin_req = 1;
                rc = 0;
            }
        }
        if (s->fin_req)
            wake = 1;
    }
    if (wake) {
        c->dirty = 1;
        hq_wake(ep);
    }
    pthread_mutex_unlock(&ep->mu);
    if (total > 0)
        return (int64_t)total;
    return rc;
}

int32_t hq_stream_shutdown(hq_stream *s, int32_t how, uint64_t code)
{
    hq_conn *c = s->c;
    hq_endpoint *ep = c->ep;
    lock(s);
    int alive = c->conn && c->state < HQC_CLOSING && !ep->shut && s->ng_open;
    if ((how & HQ_SHUT_READ) && s->can_read && !s->rd_shut && !s->r_fin_read && !s->peer_reset) {
        s->rd_shut = 1;
        if (alive)
            ngtcp2_conn_shutdown_stream_read(c->conn, s->id, code);
        drop_received(s);
    }
    if ((how & HQ_SHUT_WRITE) && s->can_write && !s->wr_shut && !s->fin_acked && !s->peer_stop) {
        s->wr_shut = 1;
        if (alive)
            ngtcp2_conn_shutdown_stream_write(c->conn, s->id, code);
        /* the bytes are no longer owed to the peer: let other writers use the connection budget
           (the memory itself stays until ngtcp2 acknowledges or forgets it) */
        if (!s->unaccounted) {
            uint64_t buffered = s->s_written - s->s_acked;
            c->s_buffered = c->s_buffered >= buffered ? c->s_buffered - buffered : 0;
            s->unaccounted = 1;
        }
        hq_conn_wake_writers(c);
    }
    if (alive) {
        c->dirty = 1;
        hq_wake(ep);
    }
    pthread_mutex_unlock(&ep->mu);
    return HQ_OK;
}

void hq_stream_release(hq_stream *s)
{
    hq_conn *c = s->c;
    hq_endpoint *ep = c->ep;
    lock(s);
    if (s->managed) {
        s->managed = 0;
        s->want_read = s->want_write = 0;
        if (s->ng_open && c->conn && c->state < HQC_CLOSING && !ep->shut) {
            if (s->can_write && !s->fin_req && !s->wr_shut && !s->peer_stop)
                s->fin_req = 1; /* graceful: what was written is still delivered */
            if (s->can_read && !s->r_fin_read && !s->rd_shut && !s->peer_reset) {
                s->rd_shut = 1;
                ngtcp2_conn_shutdown_stream_read(c->conn, s->id, 0);
                drop_received(s);
            }
            c->dirty = 1;
            hq_wake(ep);
        }
        hq_stream_unref_locked(s);
    }
    hq_unlock(ep);
}

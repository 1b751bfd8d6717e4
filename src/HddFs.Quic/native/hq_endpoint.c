/*
 * The endpoint: one UDP socket that dials and accepts, its I/O thread and event loop, demultiplexing
 * by connection ID, stateless resets, version negotiation, non-QUIC datagrams, GSO/GRO/ECN.
 *
 * Threading: the I/O thread (io_main) waits in ppoll on the socket and an eventfd with a nanosecond
 * timeout taken from the connections' ngtcp2 expiry (which includes the pacing deadline). It holds
 * ep->mu while it touches connection state and releases it while it waits and while it delivers
 * events to the managed side. API calls from other threads take ep->mu, change state, mark the
 * connection dirty and write the eventfd (hq_wake) at most once per loop iteration.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/crypto.h>
#include <ngtcp2/ngtcp2_crypto.h>

#include "hq_internal.h"

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif
#ifndef UDP_GRO
#define UDP_GRO 104
#endif
#ifndef SOL_UDP
#define SOL_UDP 17
#endif

#define HQ_RECV_BATCHES 16         /* recvmsg calls per loop iteration before writing (ACKs) */
#define HQ_RESETS_PER_SECOND 100   /* stateless resets we send at most */

uint64_t hq_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void hq_wake(hq_endpoint *ep)
{
    if (ep->wake_pending || ep->evfd < 0)
        return;
    ep->wake_pending = 1;
    if (pthread_equal(pthread_self(), ep->thread))
        return; /* the loop runs again before it sleeps */
    uint64_t one = 1;
    ssize_t r = write(ep->evfd, &one, sizeof(one));
    (void)r;
}

void hq_ev_push(hq_endpoint *ep, const hq_event *ev)
{
    if (ep->nev == ep->capev) {
        size_t ncap = ep->capev ? ep->capev * 2 : 64;
        hq_event *n = realloc(ep->ev, ncap * sizeof(*n));
        if (!n)
            return; /* out of memory: the event is lost (and a handle reference leaks) */
        ep->ev = n;
        ep->capev = ncap;
    }
    ep->ev[ep->nev++] = *ev;
}

void hq_addr_from_sockaddr(hq_addr *out, const struct sockaddr *sa)
{
    memset(out, 0, sizeof(*out));
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        out->family = 4;
        out->port = ntohs(in->sin_port);
        memcpy(out->addr, &in->sin_addr, 4);
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        out->port = ntohs(in6->sin6_port);
        if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
            out->family = 4;
            memcpy(out->addr, (const uint8_t *)&in6->sin6_addr + 12, 4);
        } else {
            out->family = 6;
            out->scope_id = in6->sin6_scope_id;
            memcpy(out->addr, &in6->sin6_addr, 16);
        }
    }
}

int hq_sockaddr_from_addr(const hq_endpoint *ep, const hq_addr *a, struct sockaddr_storage *ss, socklen_t *len)
{
    memset(ss, 0, sizeof(*ss));
    int family = ep ? ep->family : (a->family == 4 ? AF_INET : AF_INET6);
    if (family == AF_INET) {
        struct sockaddr_in *in = (struct sockaddr_in *)ss;
        in->sin_family = AF_INET;
        in->sin_port = htons(a->port);
        if (a->family == 4) {
            memcpy(&in->sin_addr, a->addr, 4);
        } else if (a->family == 6 && IN6_IS_ADDR_V4MAPPED((const struct in6_addr *)a->addr)) {
            memcpy(&in->sin_addr, a->addr + 12, 4);
        } else {
            return -1;
        }
        *len = sizeof(*in);
        return 0;
    }
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(a->port);
    if (a->family == 6) {
        memcpy(&in6->sin6_addr, a->addr, 16);
        in6->sin6_scope_id = a->scope_id;
    } else if (a->family == 4) {
        uint8_t *b = (uint8_t *)&in6->sin6_addr;
        b[10] = 0xff;
        b[11] = 0xff;
        memcpy(b + 12, a->addr, 4);
    } else {
        return -1;
    }
    *len = sizeof(*in6);
    return 0;
}

static void set_ecn(hq_endpoint *ep, int ecn)
{
    if (!ep->ecn || ecn == ep->cur_tos)
        return;
    ep->cur_tos = ecn;
    int v = ecn;
    setsockopt(ep->fd, IPPROTO_IP, IP_TOS, &v, sizeof(v));
    if (ep->family == AF_INET6)
        setsockopt(ep->fd, IPPROTO_IPV6, IPV6_TCLASS, &v, sizeof(v));
}

int hq_send_batch(hq_endpoint *ep, const uint8_t *buf, size_t len, size_t gso, const struct sockaddr *to,
                  socklen_t tolen, int ecn)
{
    if (ep->fd < 0)
        return 1;
    set_ecn(ep, ecn);
    struct iovec iov = {(void *)buf, len};
    union {
        char buf[CMSG_SPACE(sizeof(uint16_t))];
        struct cmsghdr align;
    } ctrl;
    struct msghdr msg;
    memset(&msg, 0, sizeof(msg));
    msg.msg_name = (void *)to;
    msg.msg_namelen = tolen;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    int segmented = ep->gso && gso > 0 && len > gso;
    if (segmented) {
        memset(&ctrl, 0, sizeof(ctrl));
        msg.msg_control = ctrl.buf;
        msg.msg_controllen = sizeof(ctrl.buf);
        struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
        cm->cmsg_level = SOL_UDP;
        cm->cmsg_type = UDP_SEGMENT;
        cm->cmsg_len = CMSG_LEN(sizeof(uint16_t));
        uint16_t g = (uint16_t)gso;
        memcpy(CMSG_DATA(cm), &g, sizeof(g));
    } else if (gso > 0 && len > gso) {
        /* no GSO: one sendmsg per packet */
        for (size_t off = 0; off < len; off += gso) {
            size_t n = len - off < gso ? len - off : gso;
            if (!hq_send_batch(ep, buf + off, n, n, to, tolen, ecn)) {
                if (off == 0)
                    return 0;
                return 1; /* the rest is lost; recovery retransmits it */
            }
        }
        return 1;
    }
    for (;;) {
        ssize_t n = sendmsg(ep->fd, &msg, 0);
        if (n >= 0) {
            ep->datagrams_sent++;
            ep->packets_sent += segmented ? (len + gso - 1) / gso : 1;
            return 1;
        }
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return 0;
        if (segmented && (errno == EIO || errno == EINVAL || errno == EOPNOTSUPP)) {
            ep->gso = 0; /* the device or kernel cannot segment: fall back for good */
            return hq_send_batch(ep, buf, len, gso, to, tolen, ecn);
        }
        return 1; /* EMSGSIZE (PMTU probe), unreachable, ...: treat as lost */
    }
}

void hq_ep_unref_locked(hq_endpoint *ep)
{
    if (--ep->refs == 0)
        ep->free_pending = 1;
}

void hq_ep_free(hq_endpoint *ep)
{
    if (ep->fd >= 0)
        close(ep->fd);
    if (ep->evfd >= 0)
        close(ep->evfd);
    hq_tls_ep_free(ep);
    hq_cidmap_free(&ep->map);
    hq_cidmap_free(&ep->tokens);
    for (size_t i = 0; i < ep->nev; i++)
        if (ep->ev[i].type == HQ_EV_DATAGRAM)
            free(ep->ev[i].handle);
    free(ep->ev);
    hq_chunk_pool_free(ep);
    free(ep->txbuf);
    free(ep->rxbuf);
    free(ep->pend);
    free(ep->alpn);
    pthread_mutex_destroy(&ep->mu);
    free(ep);
}

void hq_unlock(hq_endpoint *ep)
{
    int f = ep->free_pending;
    pthread_mutex_unlock(&ep->mu);
    if (f)
        hq_ep_free(ep);
}

/* ---------------------------------------------------------------- input demultiplexing ----------- */

static void push_datagram(hq_endpoint *ep, const uint8_t *data, size_t len, const struct sockaddr *from)
{
    if (ep->pending_datagrams >= HQ_MAX_PENDING_DATAGRAMS) {
        ep->dropped_datagrams++;
        return;
    }
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy)
        return;
    memcpy(copy, data, len);
    hq_event ev;
    memset(&ev, 0, sizeof(ev));
    ev.type = HQ_EV_DATAGRAM;
    ev.stream_id = -1;
    ev.handle = copy;
    ev.length = len;
    hq_addr_from_sockaddr(&ev.addr, from);
    hq_ev_push(ep, &ev);
    ep->pending_datagrams++;
}

static void send_version_negotiation(hq_endpoint *ep, const ngtcp2_version_cid *vc, const struct sockaddr *from,
                                     socklen_t fromlen)
{
    uint8_t buf[256], r;
    uint32_t sv[2] = {NGTCP2_PROTO_VER_V1, 0x1a2a3a4aU /* a reserved (greasing) version */};
    gnutls_rnd(GNUTLS_RND_NONCE, &r, 1);
    ngtcp2_ssize n = ngtcp2_pkt_write_version_negotiation(buf, sizeof(buf), r, vc->scid, vc->scidlen, vc->dcid,
                                                          vc->dcidlen, sv, 2);
    if (n > 0)
        hq_send_batch(ep, buf, (size_t)n, (size_t)n, from, fromlen, 0);
}

static void send_refused(hq_endpoint *ep, const ngtcp2_pkt_hd *hd, const struct sockaddr *from, socklen_t fromlen)
{
    uint8_t buf[NGTCP2_MAX_UDP_PAYLOAD_SIZE];
    ngtcp2_ssize n = ngtcp2_crypto_write_connection_close(buf, sizeof(buf), hd->version, &hd->scid, &hd->dcid,
                                                          NGTCP2_CONNECTION_REFUSED, NULL, 0);
    if (n > 0)
        hq_send_batch(ep, buf, (size_t)n, (size_t)n, from, fromlen, 0);
}

static void maybe_send_stateless_reset(hq_endpoint *ep, size_t pktlen, const uint8_t *dcid, size_t dcidlen,
                                       const struct sockaddr *from, socklen_t fromlen, uint64_t now)
{
    /* only CIDs we could have issued; the reset must be shorter than the packet that caused it so that
       two endpoints cannot loop, and at least 1 + 5 + 16 bytes */
    if (dcidlen != HQ_SCIDLEN || pktlen < 1 + NGTCP2_MIN_STATELESS_RESET_RANDLEN + NGTCP2_STATELESS_RESET_TOKENLEN + 1)
        return;
    if (now - ep->reset_refill_ts >= NGTCP2_SECONDS) {
        ep->reset_refill_ts = now;
        ep->reset_tokens = HQ_RESETS_PER_SECOND;
    }
    if (ep->reset_tokens == 0)
        return;
    ep->reset_tokens--;
    ngtcp2_cid cid;
    ngtcp2_cid_init(&cid, dcid, dcidlen);
    uint8_t token[NGTCP2_STATELESS_RESET_TOKENLEN], rnd[64], buf[128];
    if (ngtcp2_crypto_generate_stateless_reset_token(token, ep->reset_secret, sizeof(ep->reset_secret), &cid) != 0)
        return;
    size_t total = pktlen - 1 < 43 ? pktlen - 1 : 43;
    size_t randlen = total - 1 - NGTCP2_STATELESS_RESET_TOKENLEN;
    gnutls_rnd(GNUTLS_RND_NONCE, rnd, randlen);
    ngtcp2_ssize n = ngtcp2_pkt_write_stateless_reset(buf, sizeof(buf), token, rnd, randlen);
    if (n > 0) {
        hq_send_batch(ep, buf, (size_t)n, (size_t)n, from, fromlen, 0);
        ep->resets_sent++;
    }
}

static void handle_datagram(hq_endpoint *ep, const uint8_t *data, size_t len, const struct sockaddr *from,
                            socklen_t fromlen, int ecn, uint64_t now)
{
    if (len == 0)
        return;
    ep->packets_recv++;
    if ((data[0] & 0x40) == 0) {
        /* ngtcp2 0.12 always advertises "greasing the QUIC bit" (RFC 9287), so peers may clear the fixed bit of
           any packet after the client's first Initial. Such a packet is QUIC only when it names one of our
           connections (or carries a peer's stateless reset token); everything else with the bit clear is a
           non-QUIC datagram for the application (STUN, hole punching). A collision needs a 128-bit match. */
        hq_conn *g = NULL;
        if (data[0] & 0x80) {
            if (len >= 7 && data[5] == HQ_SCIDLEN && len >= 6 + (size_t)HQ_SCIDLEN)
                g = hq_cidmap_find(&ep->map, data + 6, HQ_SCIDLEN);
        } else if (len > HQ_SCIDLEN) {
            g = hq_cidmap_find(&ep->map, data + 1, HQ_SCIDLEN);
            if (!g && len >= NGTCP2_STATELESS_RESET_TOKENLEN + 5)
                g = hq_cidmap_find(&ep->tokens, data + len - NGTCP2_STATELESS_RESET_TOKENLEN,
                                   NGTCP2_STATELESS_RESET_TOKENLEN);
        }
        if (g) {
            ep->greased_packets++;
            hq_conn_read(g, data, len, from, fromlen, ecn, now);
        }
        else
            push_datagram(ep, data, len, from);
        return;
    }
    ngtcp2_version_cid vc;
    int rv = ngtcp2_pkt_decode_version_cid(&vc, data, len, HQ_SCIDLEN);
    if (rv == NGTCP2_ERR_VERSION_NEGOTIATION) {
        if (len >= NGTCP2_MAX_UDP_PAYLOAD_SIZE)
            send_version_negotiation(ep, &vc, from, fromlen);
        return;
    }
    if (rv != 0)
        return;
    hq_conn *c = hq_cidmap_find(&ep->map, vc.dcid, vc.dcidlen);
    if (!c) {
        if (data[0] & 0x80) {
            ngtcp2_pkt_hd hd;
            if (ngtcp2_accept(&hd, data, len) != 0)
                return;
            if (!(ep->cfg.flags & HQ_FLAG_ACCEPT) || ep->nconns >= ep->cfg.max_connections || ep->shut) {
                send_refused(ep, &hd, from, fromlen);
                return;
            }
            c = hq_conn_new_server(ep, &hd, from, fromlen, now);
            if (!c)
                return;
        } else {
            /* a short header for no connection we know: a stateless reset from a peer that lost its state
               (routed by its trailing token), or a packet for a connection we lost (answer with a reset) */
            if (len >= NGTCP2_STATELESS_RESET_TOKENLEN + 5)
                c = hq_cidmap_find(&ep->tokens, data + len - NGTCP2_STATELESS_RESET_TOKENLEN,
                                   NGTCP2_STATELESS_RESET_TOKENLEN);
            if (!c) {
                maybe_send_stateless_reset(ep, len, vc.dcid, vc.dcidlen, from, fromlen, now);
                return;
            }
        }
    }
    hq_conn_read(c, data, len, from, fromlen, ecn, now);
}

static void recv_all(hq_endpoint *ep)
{
    for (int i = 0; i < HQ_RECV_BATCHES; i++) {
        struct sockaddr_storage from;
        struct iovec iov = {ep->rxbuf, HQ_RXBUF};
        union {
            char buf[CMSG_SPACE(sizeof(int)) * 4];
            struct cmsghdr align;
        } ctrl;
        struct msghdr msg;
        memset(&msg, 0, sizeof(msg));
        msg.msg_name = &from;
        msg.msg_namelen = sizeof(from);
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = ctrl.buf;
        msg.msg_controllen = sizeof(ctrl.buf);
        ssize_t n = recvmsg(ep->fd, &msg, MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return;
            continue; /* EINTR, or an ICMP error surfacing here */
        }
        if (msg.msg_flags & MSG_TRUNC)
            continue;
        size_t seg = 0;
        int ecn = 0;
        for (struct cmsghdr *cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
            if (cm->cmsg_level == SOL_UDP && cm->cmsg_type == UDP_GRO) {
                int g;
                memcpy(&g, CMSG_DATA(cm), sizeof(g));
                seg = (size_t)g;
            } else if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_TOS) {
                uint8_t t;
                memcpy(&t, CMSG_DATA(cm), 1);
                ecn = t & 0x3;
            } else if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_TCLASS) {
                int t;
                memcpy(&t, CMSG_DATA(cm), sizeof(t));
                ecn = t & 0x3;
            }
        }
        if (!ep->ecn)
            ecn = 0;
        if (seg == 0 || seg > (size_t)n)
            seg = (size_t)n;
        pthread_mutex_lock(&ep->mu);
        uint64_t now = hq_now();
        for (size_t off = 0; off < (size_t)n; off += seg) {
            size_t len = (size_t)n - off < seg ? (size_t)n - off : seg;
            handle_datagram(ep, ep->rxbuf + off, len, (struct sockaddr *)&from, msg.msg_namelen, ecn, now);
        }
        pthread_mutex_unlock(&ep->mu);
    }
}

/* ICMP errors (IP_RECVERR): fail a client handshake to an unreachable address at once instead of
 * waiting for the handshake timeout. */
static void drain_errqueue(hq_endpoint *ep)
{
    for (int i = 0; i < 32; i++) {
        struct sockaddr_storage dst;
        uint8_t data[64];
        struct iovec iov = {data, sizeof(data)};
        union {
            char buf[512];
            struct cmsghdr align;
        } ctrl;
        struct msghdr msg;
        memset(&msg, 0, sizeof(msg));
        msg.msg_name = &dst;
        msg.msg_namelen = sizeof(dst);
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = ctrl.buf;
        msg.msg_controllen = sizeof(ctrl.buf);
        if (recvmsg(ep->fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
            return;
        int kind = 0;
        for (struct cmsghdr *cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
            if (!((cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_RECVERR) ||
                  (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_RECVERR)))
                continue;
            struct sock_extended_err ee;
            memcpy(&ee, CMSG_DATA(cm), sizeof(ee));
            if (ee.ee_origin == SO_EE_ORIGIN_ICMP && ee.ee_type == 3)
                kind = ee.ee_code == 3 ? HQ_CLOSE_REFUSED : HQ_CLOSE_UNREACHABLE;
            else if (ee.ee_origin == SO_EE_ORIGIN_ICMP6 && ee.ee_type == 1)
                kind = ee.ee_code == 4 ? HQ_CLOSE_REFUSED : HQ_CLOSE_UNREACHABLE;
        }
        if (!kind || msg.msg_namelen == 0)
            continue;
        hq_addr a, b;
        hq_addr_from_sockaddr(&a, (struct sockaddr *)&dst);
        pthread_mutex_lock(&ep->mu);
        for (hq_conn *c = ep->conns, *next; c; c = next) {
            next = c->next;
            hq_addr_from_sockaddr(&b, (struct sockaddr *)&c->remote);
            if (c->is_client && a.family == b.family && a.port == b.port && memcmp(a.addr, b.addr, 16) == 0)
                hq_conn_icmp_error(c, kind);
        }
        pthread_mutex_unlock(&ep->mu);
    }
}

/* ---------------------------------------------------------------- the loop ----------------------- */

/* Hands the queued events to the managed side with the mutex released; repeats while callbacks
 * queued more. Datagram payloads are freed after the callback. Called with ep->mu held. */
static void deliver_events(hq_endpoint *ep)
{
    while (ep->nev) {
        hq_event *evs = ep->ev;
        size_t n = ep->nev;
        ep->ev = NULL;
        ep->nev = ep->capev = 0;
        ep->pending_datagrams = 0;
        pthread_mutex_unlock(&ep->mu);
        if (ep->cfg.on_events)
            ep->cfg.on_events(ep->cfg.ctx, evs, (uint32_t)n);
        pthread_mutex_lock(&ep->mu);
        for (size_t i = 0; i < n; i++) {
            if (evs[i].type == HQ_EV_DATAGRAM)
                free(evs[i].handle);
        }
        free(evs);
    }
}

static void *io_main(void *arg)
{
    hq_endpoint *ep = arg;
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL);
    prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0); /* 1 ns slack: pacing deadlines are microseconds apart */
    pthread_setname_np(pthread_self(), "hddfs-quic-io");

    pthread_mutex_lock(&ep->mu);
    for (;;) {
        uint64_t now = hq_now();
        if (ep->shut)
            break;
        if (ep->pend_len) {
            if (hq_send_batch(ep, ep->pend, ep->pend_len, ep->pend_gso, (struct sockaddr *)&ep->pend_to,
                              ep->pend_tolen, ep->pend_ecn))
                ep->pend_len = 0;
        }
        for (hq_conn *c = ep->conns, *next; c; c = next) {
            next = c->next;
            hq_conn_process(c, now);
        }
        deliver_events(ep);
        if (ep->shut)
            break;

        uint64_t next = UINT64_MAX;
        int busy = ep->nev > 0;
        for (hq_conn *c = ep->conns; c; c = c->next) {
            if (c->dirty && c->started && c->state < HQC_CLOSING && !ep->pend_len)
                busy = 1;
            if (c->close_req && c->state < HQC_CLOSING)
                busy = 1;
            if (c->expiry < next)
                next = c->expiry;
        }
        struct timespec tmo, *ptmo = NULL;
        now = hq_now();
        if (busy) {
            tmo.tv_sec = 0;
            tmo.tv_nsec = 0;
            ptmo = &tmo;
        } else if (next != UINT64_MAX) {
            uint64_t d = next > now ? next - now : 0;
            tmo.tv_sec = (time_t)(d / 1000000000ULL);
            tmo.tv_nsec = (long)(d % 1000000000ULL);
            ptmo = &tmo;
        }
        ep->wake_pending = 0;
        struct pollfd pfd[2] = {{ep->fd, (short)(POLLIN | (ep->pend_len ? POLLOUT : 0)), 0}, {ep->evfd, POLLIN, 0}};
        pthread_mutex_unlock(&ep->mu);

        int n = ppoll(pfd, 2, ptmo, NULL);
        if (n > 0) {
            if (pfd[1].revents & POLLIN) {
                uint64_t v;
                ssize_t r = read(ep->evfd, &v, sizeof(v));
                (void)r;
            }
            if (pfd[0].revents & POLLERR)
                drain_errqueue(ep);
            if (pfd[0].revents & POLLIN)
                recv_all(ep);
        }
        pthread_mutex_lock(&ep->mu);
    }

    /* shutdown: close every connection, deliver the last events */
    uint64_t now = hq_now();
    for (hq_conn *c = ep->conns, *next; c; c = next) {
        next = c->next;
        c->refs++; /* closing may already destroy it */
        if (ep->graceful && c->started && c->state < HQC_CLOSING && c->conn)
            hq_conn_close_now(c, HQ_CLOSE_SHUTDOWN, ep->shut_code, now);
        hq_conn_destroy(c, HQ_CLOSE_SHUTDOWN);
        hq_conn_unref_locked(c);
    }
    deliver_events(ep);
    ep->thread_exited = 1;
    pthread_mutex_unlock(&ep->mu);
    return NULL;
}

/* ---------------------------------------------------------------- API ---------------------------- */

int32_t hq_ngtcp2_version(void)
{
    const ngtcp2_info *info = ngtcp2_version(0);
    return info ? info->version_num : 0;
}

const char *hq_ngtcp2_strerror(int32_t liberr)
{
    return ngtcp2_strerror(liberr);
}

const char *hq_gnutls_strerror(int32_t err)
{
    return gnutls_strerror(err);
}

int32_t hq_abi_size(int32_t which)
{
    switch (which) {
    case 0:
        return (int32_t)sizeof(hq_addr);
    case 1:
        return (int32_t)sizeof(hq_event);
    case 2:
        return (int32_t)sizeof(hq_endpoint_config);
    case 3:
        return (int32_t)sizeof(hq_conn_info);
    case 4:
        return (int32_t)sizeof(hq_endpoint_info);
    default:
        return -1;
    }
}

static void set_buffer(int fd, int force_opt, int opt, int size)
{
    if (setsockopt(fd, SOL_SOCKET, force_opt, &size, sizeof(size)) != 0)
        setsockopt(fd, SOL_SOCKET, opt, &size, sizeof(size));
}

int32_t hq_endpoint_create(const hq_endpoint_config *cfg, hq_endpoint **out, int32_t *err)
{
    *err = 0;
    *out = NULL;
    if (!cfg || !cfg->cert_pem || !cfg->key_pem || !cfg->alpn || cfg->alpn_len == 0 || cfg->alpn_len > 255 ||
        !cfg->on_events || (cfg->local.family != 4 && cfg->local.family != 6) || cfg->max_connections == 0 ||
        cfg->stream_send_buffer == 0 || cfg->conn_send_buffer == 0 || cfg->cc_algo > NGTCP2_CC_ALGO_BBR2)
        return HQ_ERR_INVALID;

    hq_endpoint *ep = calloc(1, sizeof(*ep));
    if (!ep)
        return HQ_ERR_NOMEM;
    pthread_mutex_init(&ep->mu, NULL);
    ep->refs = 1;
    ep->fd = ep->evfd = -1;
    ep->cfg = *cfg;
    ep->cfg.cert_pem = ep->cfg.key_pem = ep->cfg.alpn = NULL;
    ep->next_key = 1;
    ep->cur_tos = 0;
    ep->reset_tokens = HQ_RESETS_PER_SECOND;
    memcpy(ep->reset_secret, cfg->reset_secret, sizeof(ep->reset_secret));
    int32_t rc = HQ_ERR_NOMEM;
    ep->alpn = malloc(cfg->alpn_len);
    ep->txbuf = malloc(HQ_TXBUF);
    ep->rxbuf = malloc(HQ_RXBUF);
    ep->pend = malloc(HQ_TXBUF);
    if (!ep->alpn || !ep->txbuf || !ep->rxbuf || !ep->pend || hq_cidmap_init(&ep->map) != 0 ||
        hq_cidmap_init(&ep->tokens) != 0)
        goto fail;
    memcpy(ep->alpn, cfg->alpn, cfg->alpn_len);
    ep->alpn_len = cfg->alpn_len;
    if (hq_tls_ep_init(ep, cfg, err) != 0) {
        rc = HQ_ERR_TLS;
        goto fail;
    }

    struct sockaddr_storage ss;
    socklen_t sslen;
    hq_sockaddr_from_addr(NULL, &cfg->local, &ss, &sslen);
    ep->family = ss.ss_family;
    ep->fd = socket(ep->family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (ep->fd < 0)
        goto sockfail;
    int one = 1, zero = 0;
    if (ep->family == AF_INET6) {
        setsockopt(ep->fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)); /* dual stack when bound to :: */
        int pmtu6 = IPV6_PMTUDISC_DO;
        setsockopt(ep->fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &pmtu6, sizeof(pmtu6));
        setsockopt(ep->fd, IPPROTO_IPV6, IPV6_RECVTCLASS, &one, sizeof(one));
        setsockopt(ep->fd, IPPROTO_IPV6, IPV6_RECVERR, &one, sizeof(one));
    }
    int pmtu = IP_PMTUDISC_DO;
    setsockopt(ep->fd, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu, sizeof(pmtu));
    setsockopt(ep->fd, IPPROTO_IP, IP_RECVERR, &one, sizeof(one));
    ep->ecn = !(cfg->flags & HQ_FLAG_NO_ECN);
    if (ep->ecn)
        setsockopt(ep->fd, IPPROTO_IP, IP_RECVTOS, &one, sizeof(one));
    if (cfg->socket_buffer > 0) {
        set_buffer(ep->fd, SO_RCVBUFFORCE, SO_RCVBUF, cfg->socket_buffer);
        set_buffer(ep->fd, SO_SNDBUFFORCE, SO_SNDBUF, cfg->socket_buffer);
    }
    socklen_t ol = sizeof(int);
    getsockopt(ep->fd, SOL_SOCKET, SO_RCVBUF, &ep->rcvbuf, &ol);
    ol = sizeof(int);
    getsockopt(ep->fd, SOL_SOCKET, SO_SNDBUF, &ep->sndbuf, &ol);
    ep->gro = !(cfg->flags & HQ_FLAG_NO_GRO) && setsockopt(ep->fd, SOL_UDP, UDP_GRO, &one, sizeof(one)) == 0;
    ep->gso = !(cfg->flags & HQ_FLAG_NO_GSO);
    if (bind(ep->fd, (struct sockaddr *)&ss, sslen) != 0)
        goto sockfail;
    ep->locallen = sizeof(ep->local);
    if (getsockname(ep->fd, (struct sockaddr *)&ep->local, &ep->locallen) != 0)
        goto sockfail;
    ep->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (ep->evfd < 0)
        goto sockfail;
    if (pthread_create(&ep->thread, NULL, io_main, ep) != 0) {
        rc = HQ_ERR_NOMEM;
        goto fail;
    }
    ep->thread_started = 1;
    *out = ep;
    return HQ_OK;

sockfail:
    *err = errno;
    rc = HQ_ERR_SOCKET;
fail:
    hq_ep_free(ep);
    return rc;
}

int32_t hq_endpoint_get_info(hq_endpoint *ep, hq_endpoint_info *info)
{
    memset(info, 0, sizeof(*info));
    pthread_mutex_lock(&ep->mu);
    hq_addr_from_sockaddr(&info->local, (struct sockaddr *)&ep->local);
    if (ep->family == AF_INET6) {
        /* report :: and ::1 as IPv6 even though mapped addresses are reported as IPv4 */
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&ep->local;
        info->local.family = 6;
        memcpy(info->local.addr, &in6->sin6_addr, 16);
    }
    info->gso = ep->gso;
    info->gro = ep->gro;
    info->ecn = ep->ecn;
    info->rcvbuf = ep->rcvbuf;
    info->sndbuf = ep->sndbuf;
    info->connections = (int32_t)ep->nconns;
    info->datagrams_sent = ep->datagrams_sent;
    info->packets_sent = ep->packets_sent;
    info->packets_recv = ep->packets_recv;
    info->stateless_resets_sent = ep->resets_sent;
    info->dropped_datagrams = ep->dropped_datagrams;
    info->greased_packets = ep->greased_packets;
    pthread_mutex_unlock(&ep->mu);
    return HQ_OK;
}

void hq_endpoint_shutdown(hq_endpoint *ep, int32_t graceful, uint64_t app_code)
{
    pthread_mutex_lock(&ep->mu);
    if (!ep->shut) {
        ep->shut = 1;
        ep->graceful = graceful;
        ep->shut_code = app_code;
        ep->wake_pending = 0;
        hq_wake(ep);
    }
    int join = ep->thread_started && !ep->thread_joined && !pthread_equal(pthread_self(), ep->thread);
    if (join)
        ep->thread_joined = 1;
    pthread_mutex_unlock(&ep->mu);
    if (!join)
        return;
    pthread_join(ep->thread, NULL);
    pthread_mutex_lock(&ep->mu);
    if (ep->fd >= 0)
        close(ep->fd);
    if (ep->evfd >= 0)
        close(ep->evfd);
    ep->fd = ep->evfd = -1;
    pthread_mutex_unlock(&ep->mu);
}

void hq_endpoint_release(hq_endpoint *ep)
{
    hq_endpoint_shutdown(ep, 0, 0);
    pthread_mutex_lock(&ep->mu);
    hq_ep_unref_locked(ep);
    hq_unlock(ep);
}

int32_t hq_endpoint_send_datagram(hq_endpoint *ep, const hq_addr *to, const uint8_t *data, uint64_t len, int32_t *err)
{
    struct sockaddr_storage ss;
    socklen_t sslen;
    int32_t rc = HQ_OK;
    *err = 0;
    pthread_mutex_lock(&ep->mu);
    if (ep->shut || ep->fd < 0) {
        rc = HQ_ERR_CLOSED;
    } else if (hq_sockaddr_from_addr(ep, to, &ss, &sslen) != 0 || len > 65507) {
        rc = HQ_ERR_INVALID;
    } else {
        for (;;) {
            if (sendto(ep->fd, data, len, 0, (struct sockaddr *)&ss, sslen) >= 0)
                break;
            if (errno == EINTR)
                continue;
            *err = errno;
            rc = HQ_ERR_SOCKET;
            break;
        }
    }
    pthread_mutex_unlock(&ep->mu);
    return rc;
}

/*
 * Connection-ID → connection map: open addressing with linear probing, keyed SipHash-2-4 so that a
 * peer choosing CIDs (client Initial DCIDs) cannot force collisions. Guarded by hq_endpoint.mu.
 */
#include <stdlib.h>
#include <string.h>

#include <gnutls/crypto.h>

#include "hq_internal.h"

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND                                                                                                       \
    do {                                                                                                               \
        v0 += v1;                                                                                                      \
        v1 = ROTL(v1, 13);                                                                                             \
        v1 ^= v0;                                                                                                      \
        v0 = ROTL(v0, 32);                                                                                             \
        v2 += v3;                                                                                                      \
        v3 = ROTL(v3, 16);                                                                                             \
        v3 ^= v2;                                                                                                      \
        v0 += v3;                                                                                                      \
        v3 = ROTL(v3, 21);                                                                                             \
        v3 ^= v0;                                                                                                      \
        v2 += v1;                                                                                                      \
        v1 = ROTL(v1, 17);                                                                                             \
        v1 ^= v2;                                                                                                      \
        v2 = ROTL(v2, 32);                                                                                             \
    } while (0)

static uint64_t siphash(uint64_t k0, uint64_t k1, const uint8_t *in, size_t len)
{
    uint64_t v0 = 0x736f6d6570736575ULL ^ k0, v1 = 0x646f72616e646f6dULL ^ k1;
    uint64_t v2 = 0x6c7967656e657261ULL ^ k0, v3 = 0x7465646279746573ULL ^ k1;
    uint64_t b = ((uint64_t)len) << 56;
    size_t i, left = len & 7, end = len - left;
    for (i = 0; i < end; i += 8) {
        uint64_t m;
        memcpy(&m, in + i, 8);
        v3 ^= m;
        SIPROUND;
        SIPROUND;
        v0 ^= m;
    }
    for (size_t j = 0; j < left; j++)
        b |= ((uint64_t)in[end + j]) << (8 * j);
    v3 ^= b;
    SIPROUND;
    SIPROUND;
    v0 ^= b;
    v2 ^= 0xff;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    return v0 ^ v1 ^ v2 ^ v3;
}

int hq_cidmap_init(hq_cidmap *m)
{
    memset(m, 0, sizeof(*m));
    m->cap = 256;
    m->slots = calloc(m->cap, sizeof(*m->slots));
    if (!m->slots)
        return -1;
    uint64_t k[2];
    if (gnutls_rnd(GNUTLS_RND_RANDOM, k, sizeof(k)) != 0)
        return -1;
    m->k0 = k[0];
    m->k1 = k[1];
    return 0;
}

void hq_cidmap_free(hq_cidmap *m)
{
    free(m->slots);
    m->slots = NULL;
}

static size_t slot_of(const hq_cidmap *m, const uint8_t *cid, size_t len)
{
    return (size_t)siphash(m->k0, m->k1, cid, len) & (m->cap - 1);
}

static int grow(hq_cidmap *m)
{
    size_t ncap = m->used * 4 > m->cap ? m->cap * 2 : m->cap; /* rehash in place when mostly tombstones */
    hq_cidmap_entry *old = m->slots, *ns = calloc(ncap, sizeof(*ns));
    if (!ns)
        return -1;
    size_t ocap = m->cap;
    m->slots = ns;
    m->cap = ncap;
    m->used = 0;
    m->tomb = 0;
    for (size_t i = 0; i < ocap; i++) {
        if (old[i].used != 1)
            continue;
        size_t j = slot_of(m, old[i].cid.data, old[i].cid.datalen);
        while (ns[j].used)
            j = (j + 1) & (ncap - 1);
        ns[j] = old[i];
        m->used++;
    }
    free(old);
    return 0;
}

hq_conn *hq_cidmap_find(hq_cidmap *m, const uint8_t *cid, size_t len)
{
    if (len > NGTCP2_MAX_CIDLEN)
        return NULL;
    size_t j = slot_of(m, cid, len);
    for (size_t n = 0; n < m->cap; n++) {
        hq_cidmap_entry *e = &m->slots[j];
        if (e->used == 0)
            return NULL;
        if (e->used == 1 && e->cid.datalen == len && memcmp(e->cid.data, cid, len) == 0)
            return e->c;
        j = (j + 1) & (m->cap - 1);
    }
    return NULL;
}

int hq_cidmap_put(hq_cidmap *m, const ngtcp2_cid *cid, hq_conn *c)
{
    if ((m->used + m->tomb + 1) * 2 > m->cap && grow(m) != 0)
        return -1;
    size_t j = slot_of(m, cid->data, cid->datalen), free_slot = (size_t)-1;
    for (size_t n = 0; n < m->cap; n++) {
        hq_cidmap_entry *e = &m->slots[j];
        if (e->used == 0) {
            if (free_slot == (size_t)-1)
                free_slot = j;
            break;
        }
        if (e->used == 2) {
            if (free_slot == (size_t)-1)
                free_slot = j;
        } else if (e->cid.datalen == cid->datalen && memcmp(e->cid.data, cid->data, cid->datalen) == 0) {
            e->c = c; /* already present: last writer wins */
            return 0;
        }
        j = (j + 1) & (m->cap - 1);
    }
    if (free_slot == (size_t)-1)
        return -1;
    hq_cidmap_entry *e = &m->slots[free_slot];
    if (e->used == 2)
        m->tomb--;
    e->cid = *cid;
    e->c = c;
    e->used = 1;
    m->used++;
    return 0;
}

void hq_cidmap_del(hq_cidmap *m, const ngtcp2_cid *cid)
{
    size_t j = slot_of(m, cid->data, cid->datalen);
    for (size_t n = 0; n < m->cap; n++) {
        hq_cidmap_entry *e = &m->slots[j];
        if (e->used == 0)
            return;
        if (e->used == 1 && e->cid.datalen == cid->datalen && memcmp(e->cid.data, cid->data, cid->datalen) == 0) {
            e->used = 2;
            e->c = NULL;
            m->used--;
            m->tomb++;
            return;
        }
        j = (j + 1) & (m->cap - 1);
    }
}

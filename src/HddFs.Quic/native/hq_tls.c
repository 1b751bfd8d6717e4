/*
 * TLS 1.3 through GnuTLS for QUIC, with mutual authentication by self-signed Ed25519 certificates.
 *
 * GnuTLS does not verify a peer by default. Every session gets verify_peer() which accepts exactly one
 * certificate whose key and signature algorithm are Ed25519 (OID 1.3.101.112) and whose signature over
 * its own TBSCertificate verifies with its own key; the raw 32-byte key is then compared with the
 * expected key (client) and offered to the managed validate_key callback. Session resumption is
 * disabled (GNUTLS_NO_TICKETS) because a resumed handshake carries no certificate to check.
 */
#include <stdlib.h>
#include <string.h>

#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>
#include <ngtcp2/ngtcp2_crypto_gnutls.h>

#include "hq_internal.h"

#define HQ_PRIORITY                                                                                                    \
    "NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+AES-128-GCM:+AES-256-GCM:+CHACHA20-POLY1305:+AES-128-CCM:"           \
    "-GROUP-ALL:+GROUP-X25519:+GROUP-SECP256R1:+GROUP-SECP384R1:+GROUP-SECP521R1:%DISABLE_TLS13_COMPAT_MODE"

static int key_matches_cert(const gnutls_datum_t *cert_pem, const gnutls_datum_t *key_pem)
{
    gnutls_x509_crt_t crt = NULL;
    gnutls_privkey_t priv = NULL;
    gnutls_pubkey_t pub = NULL;
    uint8_t id1[64], id2[64];
    size_t n1 = sizeof(id1), n2 = sizeof(id2);
    int rv;
    if ((rv = gnutls_x509_crt_init(&crt)) < 0 || (rv = gnutls_privkey_init(&priv)) < 0 ||
        (rv = gnutls_pubkey_init(&pub)) < 0)
        goto out;
    if ((rv = gnutls_x509_crt_import(crt, cert_pem, GNUTLS_X509_FMT_PEM)) < 0)
        goto out;
    if ((rv = gnutls_privkey_import_x509_raw(priv, key_pem, GNUTLS_X509_FMT_PEM, NULL, 0)) < 0)
        goto out;
    if ((rv = gnutls_pubkey_import_privkey(pub, priv, 0, 0)) < 0)
        goto out;
    if ((rv = gnutls_x509_crt_get_key_id(crt, 0, id1, &n1)) < 0 || (rv = gnutls_pubkey_get_key_id(pub, 0, id2, &n2)) < 0)
        goto out;
    rv = n1 == n2 && memcmp(id1, id2, n1) == 0 ? 0 : GNUTLS_E_CERTIFICATE_KEY_MISMATCH;
out:
    if (pub)
        gnutls_pubkey_deinit(pub);
    if (priv)
        gnutls_privkey_deinit(priv);
    if (crt)
        gnutls_x509_crt_deinit(crt);
    return rv;
}

int hq_tls_ep_init(hq_endpoint *ep, const hq_endpoint_config *cfg, int *err)
{
    int rv = gnutls_certificate_allocate_credentials(&ep->cred);
    if (rv < 0) {
        *err = rv;
        return -1;
    }
    gnutls_datum_t cert = {(unsigned char *)cfg->cert_pem, (unsigned)cfg->cert_pem_len};
    gnutls_datum_t key = {(unsigned char *)cfg->key_pem, (unsigned)cfg->key_pem_len};
    rv = gnutls_certificate_set_x509_key_mem2(ep->cred, &cert, &key, GNUTLS_X509_FMT_PEM, NULL, 0);
    if (rv < 0) {
        *err = rv;
        return -1;
    }
    /* GnuTLS 3.7 does not notice an Ed25519 key that belongs to another certificate: compare key IDs */
    rv = key_matches_cert(&cert, &key);
    if (rv < 0) {
        *err = rv;
        return -1;
    }
    rv = gnutls_priority_init(&ep->prio, HQ_PRIORITY, NULL);
    if (rv < 0) {
        *err = rv;
        return -1;
    }
    return 0;
}

void hq_tls_ep_free(hq_endpoint *ep)
{
    if (ep->prio)
        gnutls_priority_deinit(ep->prio);
    if (ep->cred)
        gnutls_certificate_free_credentials(ep->cred);
    ep->prio = NULL;
    ep->cred = NULL;
}

/* Reads one DER header at p; returns the header length and the content length, or 0 on error. */
static size_t der_header(const uint8_t *p, size_t avail, uint8_t *tag, size_t *content_len)
{
    if (avail < 2)
        return 0;
    *tag = p[0];
    uint8_t l = p[1];
    if (l < 0x80) {
        *content_len = l;
        return (size_t)l <= avail - 2 ? 2 : 0;
    }
    size_t n = l & 0x7f;
    if (n == 0 || n > 4 || avail < 2 + n)
        return 0;
    size_t len = 0;
    for (size_t i = 0; i < n; i++)
        len = (len << 8) | p[2 + i];
    if (len > avail - 2 - n)
        return 0;
    *content_len = len;
    return 2 + n;
}

/* Locates the complete TBSCertificate (header included) inside Certificate ::= SEQUENCE {tbs, alg, sig}. */
static int der_tbs(const uint8_t *der, size_t len, gnutls_datum_t *tbs)
{
    uint8_t tag;
    size_t clen, h = der_header(der, len, &tag, &clen);
    if (h == 0 || tag != 0x30 || h + clen != len)
        return -1;
    const uint8_t *p = der + h;
    size_t ih, iclen;
    ih = der_header(p, clen, &tag, &iclen);
    if (ih == 0 || tag != 0x30)
        return -1;
    tbs->data = (unsigned char *)p;
    tbs->size = (unsigned)(ih + iclen);
    return 0;
}

int hq_check_ed25519_self_signed(const uint8_t *der, size_t len, uint8_t key32[32])
{
    gnutls_x509_crt_t crt = NULL;
    gnutls_pubkey_t pub = NULL;
    gnutls_datum_t raw = {(unsigned char *)der, (unsigned)len}, x = {0}, y = {0}, tbs;
    gnutls_ecc_curve_t curve;
    uint8_t sig[256];
    size_t siglen = sizeof(sig);
    int ok = -1;

    if (len == 0 || len > 65536 || gnutls_x509_crt_init(&crt) < 0)
        return -1;
    if (gnutls_x509_crt_import(crt, &raw, GNUTLS_X509_FMT_DER) < 0)
        goto out;
    if (gnutls_x509_crt_get_pk_algorithm(crt, NULL) != GNUTLS_PK_EDDSA_ED25519)
        goto out;
    if (gnutls_x509_crt_get_signature_algorithm(crt) != GNUTLS_SIGN_EDDSA_ED25519)
        goto out;
    if (gnutls_x509_crt_get_pk_ecc_raw(crt, &curve, &x, &y) < 0 || curve != GNUTLS_ECC_CURVE_ED25519 ||
        x.size != 32)
        goto out;
    if (der_tbs(der, len, &tbs) != 0)
        goto out;
    if (gnutls_x509_crt_get_signature(crt, (char *)sig, &siglen) < 0 || siglen != 64)
        goto out;
    if (gnutls_pubkey_init(&pub) < 0 || gnutls_pubkey_import_x509(pub, crt, 0) < 0)
        goto out;
    gnutls_datum_t sigd = {sig, (unsigned)siglen};
    if (gnutls_pubkey_verify_data2(pub, GNUTLS_SIGN_EDDSA_ED25519, 0, &tbs, &sigd) < 0)
        goto out;
    memcpy(key32, x.data, 32);
    ok = 0;
out:
    gnutls_free(x.data);
    gnutls_free(y.data);
    if (pub)
        gnutls_pubkey_deinit(pub);
    gnutls_x509_crt_deinit(crt);
    return ok;
}

/* Runs inside gnutls_handshake on the I/O thread with ep->mu held. */
static int verify_peer(gnutls_session_t session)
{
    ngtcp2_crypto_conn_ref *ref = gnutls_session_get_ptr(session);
    hq_conn *c = ref->user_data;
    hq_endpoint *ep = c->ep;
    unsigned n = 0;
    const gnutls_datum_t *certs = gnutls_certificate_get_peers(session, &n);
    uint8_t key[32];

    if (certs == NULL || n == 0) {
        if (!c->is_client && !(ep->cfg.flags & HQ_FLAG_REQUIRE_CLIENT_CERT))
            return 0; /* optional client certificate not given: no key */
        goto fail;
    }
    if (n != 1)
        goto fail;
    if (hq_check_ed25519_self_signed(certs[0].data, certs[0].size, key) != 0)
        goto fail;
    if (c->expected_key_set && memcmp(key, c->expected_key, 32) != 0)
        goto fail;
    if ((ep->cfg.flags & HQ_FLAG_VALIDATE_CALLBACK) && ep->cfg.validate_key &&
        !ep->cfg.validate_key(ep->cfg.ctx, c->key, key, 32))
        goto fail;
    memcpy(c->peer_key, key, 32);
    c->peer_key_set = 1;
    return 0;
fail:
    c->auth_failed = 1;
    return GNUTLS_E_CERTIFICATE_ERROR;
}

static ngtcp2_conn *get_conn(ngtcp2_crypto_conn_ref *ref)
{
    hq_conn *c = ref->user_data;
    return c->conn;
}

int hq_tls_conn_init(hq_conn *c)
{
    hq_endpoint *ep = c->ep;
    unsigned flags = (c->is_client ? GNUTLS_CLIENT : GNUTLS_SERVER) | GNUTLS_NO_END_OF_EARLY_DATA | GNUTLS_NO_TICKETS;
    if (gnutls_init(&c->tls, flags) < 0) {
        c->tls = NULL;
        return -1;
    }
    int rv = c->is_client ? ngtcp2_crypto_gnutls_configure_client_session(c->tls)
                          : ngtcp2_crypto_gnutls_configure_server_session(c->tls);
    if (rv != 0)
        return -1;
    if (gnutls_priority_set(c->tls, ep->prio) < 0)
        return -1;
    if (gnutls_credentials_set(c->tls, GNUTLS_CRD_CERTIFICATE, ep->cred) < 0)
        return -1;
    if (!c->is_client)
        gnutls_certificate_server_set_request(
            c->tls, (ep->cfg.flags & HQ_FLAG_REQUIRE_CLIENT_CERT) ? GNUTLS_CERT_REQUIRE : GNUTLS_CERT_REQUEST);
    gnutls_session_set_verify_function(c->tls, verify_peer);
    gnutls_datum_t proto = {ep->alpn, (unsigned)ep->alpn_len};
    if (gnutls_alpn_set_protocols(c->tls, &proto, 1, GNUTLS_ALPN_MANDATORY) < 0)
        return -1;
    c->cref.get_conn = get_conn;
    c->cref.user_data = c;
    gnutls_session_set_ptr(c->tls, &c->cref);
    ngtcp2_conn_set_tls_native_handle(c->conn, c->tls);
    return 0;
}

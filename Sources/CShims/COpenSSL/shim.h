// OpenSSL 3 (Debian libssl-dev): hashes, HMAC, PBKDF2 and random bytes for SASL; TLS sessions over BIO pairs.
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

// The TLS calls below are macros (or use macro constants) in OpenSSL's headers, which Swift does not import.

static inline int swafka_ssl_ctx_set_tls12_minimum(SSL_CTX *ctx) {
    return (int)SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
}

static inline void swafka_ssl_ctx_set_client_defaults(SSL_CTX *ctx) {
    // No renegotiation (TLS 1.2): a record stream in either direction never turns into a handshake again.
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION);
    // SSL_write returns after each record it could hand to the BIO, so a full BIO pair is backpressure, and the
    // caller may retry from a moved buffer (our frames are arrays that can be reallocated between calls).
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
}

static inline int swafka_ssl_set_sni(SSL *ssl, const char *name) {
    return (int)SSL_set_tlsext_host_name(ssl, name);
}

static inline size_t swafka_bio_pending(BIO *bio) {
    return BIO_ctrl_pending(bio);
}

static inline int swafka_bio_write_guarantee(BIO *bio) {
    return BIO_get_write_guarantee(bio);
}

static inline int swafka_ssl_ctx_add_chain_cert(SSL_CTX *ctx, X509 *certificate) {
    return (int)SSL_CTX_add0_chain_cert(ctx, certificate);
}

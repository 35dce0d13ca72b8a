// OpenSSL 3 (Debian libssl-dev): hashes, HMAC, PBKDF2 and random bytes for SASL; TLS comes later.
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>

// SHA256_Init/Update/Final are deprecated in OpenSSL 3 in favour of EVP, whose
// EVP_DigestInit_ex2 frees and reallocates its provider context on every digest (3.0.x): a
// twentieth of the log writer's CPU for one hash per event. The writer's incremental hasher uses
// the low-level calls on a context it keeps (see CryptoPrimitives/SHA256.swift).
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <openssl/err.h>
#include <openssl/sha.h>

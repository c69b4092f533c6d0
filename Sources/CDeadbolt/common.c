#include "dbt_common.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

int dbt_equal_ct(const uint8_t *a, const uint8_t *b, size_t len) {
    return CRYPTO_memcmp(a, b, len) == 0;
}

void dbt_cleanse(void *p, size_t len) {
    if (p != NULL && len > 0) {
        OPENSSL_cleanse(p, len);
    }
}

int dbt_random_bytes(uint8_t *out, size_t len) {
    /* RAND_bytes takes an int; callers ask for small buffers, but never truncate silently. */
    while (len > 0) {
        int chunk = len > (1u << 20) ? (1 << 20) : (int)len;
        if (RAND_bytes(out, chunk) != 1) {
            return 0;
        }
        out += chunk;
        len -= (size_t)chunk;
    }
    return 1;
}

size_t dbt_hash_size(dbt_hash hash) {
    switch (hash) {
    case DBT_SHA1: return 20;
    case DBT_SHA256: return 32;
    case DBT_SHA512: return 64;
    }
    return 0;
}

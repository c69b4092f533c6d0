#include "dbt_mac.h"

#include <limits.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

static const EVP_MD *dbt_md(dbt_hash hash) {
    switch (hash) {
    case DBT_SHA1: return EVP_sha1();
    case DBT_SHA256: return EVP_sha256();
    case DBT_SHA512: return EVP_sha512();
    }
    return NULL;
}

int dbt_hmac(dbt_hash hash,
             const uint8_t *key, size_t key_len,
             const uint8_t *msg, size_t msg_len,
             uint8_t *tag) {
    const EVP_MD *md = dbt_md(hash);
    if (md == NULL || key_len > INT_MAX) {
        return 0;
    }
    unsigned int tag_len = 0;
    /* HMAC() accepts a NULL key only with length 0; pass a valid pointer for empty keys. */
    static const uint8_t empty = 0;
    return HMAC(md, key_len > 0 ? key : &empty, (int)key_len, msg_len > 0 ? msg : &empty, msg_len, tag, &tag_len) != NULL;
}

#include "bench_peers.h"

#include <argon2.h>
#include <limits.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <sodium.h>

int bench_libargon2_id(uint32_t t_cost, uint32_t m_cost_kib, uint32_t parallelism,
                       const uint8_t *password, size_t password_len, const uint8_t *salt, size_t salt_len,
                       uint8_t *tag, size_t tag_len) {
    return argon2id_hash_raw(t_cost, m_cost_kib, parallelism, password, password_len, salt, salt_len, tag,
                             tag_len) == ARGON2_OK;
}

int bench_sodium_init(void) { return sodium_init() >= 0; }

int bench_sodium_pwhash(uint32_t t_cost, uint32_t m_cost_kib,
                        const uint8_t *password, size_t password_len, const uint8_t *salt,
                        uint8_t *tag, size_t tag_len) {
    return crypto_pwhash(tag, tag_len, (const char *)password, password_len, salt, t_cost,
                         (size_t)m_cost_kib * 1024, crypto_pwhash_ALG_ARGON2ID13) == 0;
}

static const EVP_MD *bench_md(int hash) {
    switch (hash) {
    case 1: return EVP_sha1();
    case 2: return EVP_sha256();
    case 3: return EVP_sha512();
    }
    return NULL;
}

int bench_openssl_pbkdf2(int hash, const uint8_t *password, size_t password_len, const uint8_t *salt,
                         size_t salt_len, uint32_t iterations, uint8_t *key, size_t key_len) {
    const EVP_MD *md = bench_md(hash);
    if (md == NULL || password_len > INT_MAX || salt_len > INT_MAX || key_len > INT_MAX || iterations > INT_MAX) {
        return 0;
    }
    return PKCS5_PBKDF2_HMAC((const char *)password, (int)password_len, salt, (int)salt_len, (int)iterations, md,
                             (int)key_len, key);
}

int bench_openssl_totp_verify(int hash, const uint8_t *key, size_t key_len, uint64_t step, uint32_t code,
                              int digits) {
    const EVP_MD *md = bench_md(hash);
    if (md == NULL || key_len > INT_MAX || digits < 6 || digits > 8 || step == 0) return -2;
    uint32_t modulus = 1;
    for (int i = 0; i < digits; i++) modulus *= 10;
    int found = -1;
    for (int i = 0; i < 3; i++) {
        uint64_t counter = step - 1 + (uint64_t)i;
        uint8_t message[8], tag[EVP_MAX_MD_SIZE];
        for (int b = 7; b >= 0; b--) {
            message[b] = (uint8_t)counter;
            counter >>= 8;
        }
        unsigned int tag_len = 0;
        if (HMAC(md, key, (int)key_len, message, sizeof message, tag, &tag_len) == NULL) return -2;
        unsigned int offset = tag[tag_len - 1] & 0x0f;
        uint32_t binary = ((uint32_t)(tag[offset] & 0x7f) << 24) | ((uint32_t)tag[offset + 1] << 16) |
                          ((uint32_t)tag[offset + 2] << 8) | (uint32_t)tag[offset + 3];
        /* No early exit: every candidate is computed, as a constant-time verifier must. */
        if (binary % modulus == code && found < 0) found = i;
    }
    return found;
}

int32_t bench_openssl_random_code(void) {
    const uint32_t limit = UINT32_MAX - (UINT32_MAX % 1000000u);
    for (;;) {
        uint8_t bytes[4];
        if (RAND_bytes(bytes, sizeof bytes) != 1) return -1;
        uint32_t value = ((uint32_t)bytes[0] << 24) | ((uint32_t)bytes[1] << 16) | ((uint32_t)bytes[2] << 8) | bytes[3];
        if (value < limit) return (int32_t)(value % 1000000u);
    }
}

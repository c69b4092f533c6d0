#ifndef BENCH_PEERS_H
#define BENCH_PEERS_H

#include <stddef.h>
#include <stdint.h>

/* The benchmark's peers, called directly so that Deadbolt is measured against what a service would otherwise link:
   libargon2, libsodium and OpenSSL libcrypto. Each returns 1 on success and 0 on failure unless it says otherwise.
   Hash numbers follow dbt_hash: 1 SHA-1, 2 SHA-256, 3 SHA-512. */

/* libargon2's argon2id_hash_raw (lanes = threads = parallelism). */
int bench_libargon2_id(uint32_t t_cost, uint32_t m_cost_kib, uint32_t parallelism,
                       const uint8_t *password, size_t password_len, const uint8_t *salt, size_t salt_len,
                       uint8_t *tag, size_t tag_len);

/* sodium_init; call once before bench_sodium_pwhash. */
int bench_sodium_init(void);

/* libsodium's crypto_pwhash with Argon2id v1.3 (always one lane). salt must be 16 bytes. */
int bench_sodium_pwhash(uint32_t t_cost, uint32_t m_cost_kib,
                        const uint8_t *password, size_t password_len, const uint8_t *salt,
                        uint8_t *tag, size_t tag_len);

/* OpenSSL's PKCS5_PBKDF2_HMAC. */
int bench_openssl_pbkdf2(int hash, const uint8_t *password, size_t password_len, const uint8_t *salt,
                         size_t salt_len, uint32_t iterations, uint8_t *key, size_t key_len);

/* TOTP verification over a ±1 window the way a service would write it on OpenSSL: three one-shot HMAC() calls on
   the counters step-1, step, step+1, RFC 4226 §5.3 dynamic truncation to `digits`, and a compare. Returns the index
   0…2 of the matching counter, -1 for no match, -2 on failure. */
int bench_openssl_totp_verify(int hash, const uint8_t *key, size_t key_len, uint64_t step, uint32_t code,
                              int digits);

/* A uniform 6-digit code from one RAND_bytes call (rejection sampling: a draw of 4 bytes at or above the largest
   multiple of 10^6 is drawn again, which happens with probability below 2^-12). Returns the code, or -1. */
int32_t bench_openssl_random_code(void);

#endif

#ifndef DBT_PBKDF2_H
#define DBT_PBKDF2_H

#include "dbt_common.h"

/* PBKDF2 (RFC 8018 §5.2) with HMAC-hash as the PRF, on the fastest implementation this CPU has (see
   dbt_pbkdf2_with). Lengths above INT_MAX, 0 iterations or more than INT_MAX are refused.
   Returns 1 on success, 0 on failure. */
int dbt_pbkdf2(dbt_hash hash,
               const uint8_t *password, size_t password_len,
               const uint8_t *salt, size_t salt_len,
               uint32_t iterations,
               uint8_t *key, size_t key_len);

/* The implementations of dbt_pbkdf2. They all give the same answers; differential tests and the benchmark pick
   one by name to compare them. */
typedef enum {
    /* What dbt_pbkdf2 uses: DBT_PBKDF2_SHA_NI where the CPU has it (SHA-1 and SHA-256 only),
       DBT_PBKDF2_LIBCRYPTO_TRANSFORM otherwise. */
    DBT_PBKDF2_AUTO = 0,
    /* Deadbolt's loop over its plain-C compression functions (FIPS 180-4 §6), on every CPU. */
    DBT_PBKDF2_PORTABLE = 1,
    /* Deadbolt's loop over the x86 SHA extensions; refused (returns 0) where the CPU lacks them or for SHA-512. */
    DBT_PBKDF2_SHA_NI = 2,
    /* OpenSSL's PKCS5_PBKDF2_HMAC: the reference the others are tested against, and a peer in the benchmark. */
    DBT_PBKDF2_OPENSSL = 3,
    /* Deadbolt's loop over libcrypto's compression functions (SHA1_Transform, SHA256_Transform, SHA512_Transform),
       which run OpenSSL's assembly for this CPU. */
    DBT_PBKDF2_LIBCRYPTO_TRANSFORM = 4,
} dbt_pbkdf2_implementation;

/* dbt_pbkdf2 on a named implementation. Returns 1 on success, 0 on failure or when the implementation is not
   available for this hash on this CPU. */
int dbt_pbkdf2_with(dbt_pbkdf2_implementation implementation, dbt_hash hash,
                    const uint8_t *password, size_t password_len,
                    const uint8_t *salt, size_t salt_len,
                    uint32_t iterations,
                    uint8_t *key, size_t key_len);

/* Whether DBT_PBKDF2_SHA_NI is available for hash on this CPU: 1 or 0. */
int dbt_pbkdf2_has_sha_ni(dbt_hash hash);

/* Runs count chained compressions of hash on a fixed block with the implementation's compression function
   (DBT_PBKDF2_PORTABLE, DBT_PBKDF2_SHA_NI or
   DBT_PBKDF2_LIBCRYPTO_TRANSFORM), for the benchmark's limit of what PBKDF2 can reach: PBKDF2 costs two
   compressions per iteration and nothing else should matter. DBT_PBKDF2_LIBCRYPTO_TRANSFORM times OpenSSL's
   SHA*_Transform. Returns a word of the final state so the work cannot be
   skipped, or 0 when the implementation is not available. */
uint64_t dbt_pbkdf2_compress_chain(dbt_pbkdf2_implementation implementation, dbt_hash hash, uint64_t count);

#endif

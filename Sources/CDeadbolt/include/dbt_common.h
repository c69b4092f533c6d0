#ifndef DBT_COMMON_H
#define DBT_COMMON_H

#include <stddef.h>
#include <stdint.h>

/* Hash functions named by the shims. The values are part of the Swift ABI: keep them stable. */
typedef enum {
    DBT_SHA1 = 1,
    DBT_SHA256 = 2,
    DBT_SHA512 = 3,
} dbt_hash;

/* Returns 1 when the first len bytes of a and b are equal, 0 otherwise, in time that depends only on len
   (OpenSSL's CRYPTO_memcmp). */
int dbt_equal_ct(const uint8_t *a, const uint8_t *b, size_t len);

/* Overwrites len bytes at p with zeros in a way the compiler may not elide (glibc's explicit_bzero; OPENSSL_cleanse
   where there is no glibc). */
void dbt_cleanse(void *p, size_t len);

/* Fills out with len bytes from OpenSSL's CSPRNG (RAND_bytes); draws of up to 256 bytes come from a per-thread
   buffer refilled in bulk, wiped as it is read and discarded after fork(). Returns 1 on success, 0 on failure. */
int dbt_random_bytes(uint8_t *out, size_t len);

/* The digest size in bytes of a hash, or 0 for an unknown value. */
size_t dbt_hash_size(dbt_hash hash);

#endif

#ifndef DBT_OTP_H
#define DBT_OTP_H

#include "dbt_common.h"

/* HOTP (RFC 4226) and TOTP (RFC 6238) over HMAC-SHA1/256/512 with the HMAC pads absorbed once per secret.

   A dbt_otp_key holds the hash states after the inner (key XOR ipad) and outer (key XOR opad) blocks of
   RFC 2104 §2, so each counter costs two compression-function calls: one for the 8-byte counter block and
   one for the inner digest. The caller allocates dbt_otp_key_size() bytes (aligned to 16), never copies them
   around, and wipes them with dbt_cleanse before freeing: the states are as good as the secret. */

/* The shortest and longest secrets accepted, in bytes: 80 bits (what deployed authenticators still carry; RFC 4226
   §4 asks 128 bits of new secrets) to 1024 bytes. */
#define DBT_OTP_MIN_SECRET 10
#define DBT_OTP_MAX_SECRET 1024
/* The most codes one dbt_otp_find call may compare against consecutive counters (a resync pair, RFC 4226 §7.4). */
#define DBT_OTP_MAX_SEQUENCE 4

/* The size in bytes of the opaque key state. */
size_t dbt_otp_key_size(void);

/* Absorbs secret into key (which has dbt_otp_key_size() bytes). Returns 1 on success, 0 on a bad hash or length. */
int dbt_otp_key_init(void *key, dbt_hash hash, const uint8_t *secret, size_t secret_len);

/* The digits-long HOTP value (RFC 4226 §5.3, dynamic truncation) at counter, as an integer below 10^digits.
   Returns 1 on success, 0 when digits is not 6, 7 or 8. */
int dbt_otp_code(const void *key, uint64_t counter, uint32_t digits, uint32_t *code);

/* Looks for codes[0..n_codes) at consecutive counters first+i, first+i+1, ... for i in [0, count).
   Every candidate is computed and compared whatever matched, and matches are accumulated without branching,
   so the time depends on count and n_codes only, never on where (or whether) a match was. On a match, *index
   is the smallest matching i. Returns 1 on a match, 0 on none, -1 on bad arguments (digits outside 6..8,
   n_codes outside 1..DBT_OTP_MAX_SEQUENCE, count 0, or first + count + n_codes - 2 past UINT64_MAX). */
int dbt_otp_find(const void *key, uint64_t first, uint64_t count, uint32_t digits,
                 const uint32_t *codes, uint32_t n_codes, uint64_t *index);

#endif

#ifndef DBT_BLAKE2B_H
#define DBT_BLAKE2B_H

#include "dbt_common.h"

/* BLAKE2b (RFC 7693) without a key, as Argon2 uses it (RFC 9106 §3.2, §3.3). Holds message bytes: wipe with
   dbt_cleanse when they were secret. */
typedef struct {
    uint64_t h[8];
    uint64_t t[2];
    uint8_t buffer[128];
    size_t buffered;
    size_t out_len;
} dbt_blake2b_state;

/* Starts an unkeyed BLAKE2b with a digest of out_len bytes, 1 to 64. Returns 0, or -1 for a bad length. */
int dbt_blake2b_init(dbt_blake2b_state *state, size_t out_len);
void dbt_blake2b_update(dbt_blake2b_state *state, const void *in, size_t in_len);
/* Writes state->out_len bytes to out and wipes the state. */
void dbt_blake2b_final(dbt_blake2b_state *state, uint8_t *out);

/* Argon2's variable-length hash H'^T (RFC 9106 §3.3): out_len bytes (at least 1) of in. */
void dbt_blake2b_long(uint8_t *out, size_t out_len, const void *in, size_t in_len);

#endif

#ifndef DBT_ARGON2_CORE_H
#define DBT_ARGON2_CORE_H

/* Deadbolt's own Argon2 (RFC 9106), shared by argon2.c, argon2_fill.c and the vector compression functions.
   Internal to CDeadbolt: not in include/, so Swift never sees block layouts. */

#include "dbt_argon2.h"

#define DBT_ARGON2_BLOCK_SIZE 1024
#define DBT_ARGON2_QWORDS 128

/* One 1 KiB memory block, 128 little-endian 64-bit words (RFC 9106 §3.2). 64-byte aligned for vector loads. */
typedef struct {
    _Alignas(64) uint64_t v[DBT_ARGON2_QWORDS];
} dbt_argon2_block;

/* Where the next block's reference block is, given the first word of the block being made (RFC 9106 §3.4.1.1:
   J1 and J2 come from it in data-dependent addressing). A compression function that finishes that word early can
   ask, and prefetch the reference block while it computes the rest: at m = 19 MiB the reference reads otherwise
   stall about a third of the time (measured). */
typedef struct dbt_argon2_next_reference {
    const dbt_argon2_block *(*locate)(const struct dbt_argon2_next_reference *self, uint64_t first_word);
} dbt_argon2_next_reference;

/* The compression function G (RFC 9106 §3.5): out = G(x, y), or out ^= G(x, y) when xor_into is non-zero
   (version 0x13, passes after the first). out never aliases x or y. next is NULL or a way to find the next
   reference block (a hint only: the answer never depends on it). */
typedef void (*dbt_argon2_compress_fn)(dbt_argon2_block *out, const dbt_argon2_block *x, const dbt_argon2_block *y,
                                       int xor_into, const dbt_argon2_next_reference *next);

void dbt_argon2_compress_portable(dbt_argon2_block *out, const dbt_argon2_block *x, const dbt_argon2_block *y,
                                  int xor_into, const dbt_argon2_next_reference *next);
#if defined(__x86_64__)
void dbt_argon2_compress_avx2(dbt_argon2_block *out, const dbt_argon2_block *x, const dbt_argon2_block *y,
                              int xor_into, const dbt_argon2_next_reference *next);
void dbt_argon2_compress_avx512(dbt_argon2_block *out, const dbt_argon2_block *x, const dbt_argon2_block *y,
                                int xor_into, const dbt_argon2_next_reference *next);
#endif

/* Inputs already checked against RFC 9106 §3.1's ranges by the caller (dbt_argon2). */
typedef struct {
    dbt_argon2_variant variant;
    uint32_t version, t_cost, m_cost_kib, lanes;
    const uint8_t *password, *salt, *secret, *ad;
    size_t password_len, salt_len, secret_len, ad_len;
    uint8_t *tag;
    size_t tag_len;
} dbt_argon2_inputs;

/* The number of bytes of block memory the inputs need: m' = 4p * floor(m / 4p) blocks (RFC 9106 §3.2). */
size_t dbt_argon2_memory_size(uint32_t m_cost_kib, uint32_t lanes);

/* Computes the tag with compression function g into memory (at least dbt_argon2_memory_size bytes, 64-byte
   aligned). Leaves the blocks in memory: the caller wipes them (own_hash before freeing heap memory; the pool after
   handing the result back, for an arena). Its own temporaries (H0, the final block, address blocks, the stack below
   it) it wipes. Returns 0 (ARGON2_OK) or a libargon2 error code. */
int dbt_argon2_compute(const dbt_argon2_inputs *in, dbt_argon2_compress_fn g, dbt_argon2_block *memory);

#endif

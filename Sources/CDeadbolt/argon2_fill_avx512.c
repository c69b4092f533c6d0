/* The compression function G (RFC 9106 §3.5, §3.6) with AVX-512 (F, VL, BW) on 512-bit registers: eight 64-bit
   words per register, the block in 16. Compiled with a per-function target attribute, never global flags, so the
   binary still runs on any x86_64; argon2.c calls it only when the CPU reports the features.

   Why 512-bit registers, when a CPU like Zen 4 splits each 512-bit operation in two: the 32 registers then hold
   all eight rows' (or four columns') chains at once with room for the temporaries, so twice as many independent
   GB chains are in the row round as in the 256-bit version, in 603 instructions a block instead of 1,032.
   Measured with thread CPU time, interleaved A/B rounds, the arena evicted from the cache or not: 7-9% faster than
   four rows at a time on 256-bit registers at m = 19 MiB t = 2 and m = 46 MiB t = 1, the same tags. */
#include "argon2_core.h"

#if defined(__x86_64__)

#include <immintrin.h>

#define TARGET_AVX512 __attribute__((target("avx2,avx512f,avx512vl,avx512bw")))

/* BlaMka's a + b + 2 * lo(a) * lo(b) (§3.6): _mm512_mul_epu32 multiplies the low 32 bits of each 64-bit word. */
#define ZBLAMKA(a, b)                                                                          \
    ({                                                                                         \
        __m512i p_ = _mm512_mul_epu32((a), (b));                                               \
        _mm512_add_epi64(_mm512_add_epi64((a), (b)), _mm512_add_epi64(p_, p_));                \
    })

/* GB (§3.6) as eight steps, so that independent GBs interleave step by step (a GB is one chain of dependent
   instructions; the CPU overlaps chains only as far as they lie close together in the instruction stream). */
#define Z1(a, b, c, d) a = ZBLAMKA(a, b)
#define Z2(a, b, c, d) d = _mm512_ror_epi64(_mm512_xor_si512(d, a), 32)
#define Z3(a, b, c, d) c = ZBLAMKA(c, d)
#define Z4(a, b, c, d) b = _mm512_ror_epi64(_mm512_xor_si512(b, c), 24)
#define Z5(a, b, c, d) a = ZBLAMKA(a, b)
#define Z6(a, b, c, d) d = _mm512_ror_epi64(_mm512_xor_si512(d, a), 16)
#define Z7(a, b, c, d) c = ZBLAMKA(c, d)
#define Z8(a, b, c, d) b = _mm512_ror_epi64(_mm512_xor_si512(b, c), 63)

#define ZSTEP4(S, a0, b0, c0, d0, a1, b1, c1, d1, a2, b2, c2, d2, a3, b3, c3, d3) \
    S(a0, b0, c0, d0);                                                          \
    S(a1, b1, c1, d1);                                                          \
    S(a2, b2, c2, d2);                                                          \
    S(a3, b3, c3, d3)
#define ZGB4(...)                  \
    do {                           \
        ZSTEP4(Z1, __VA_ARGS__);   \
        ZSTEP4(Z2, __VA_ARGS__);   \
        ZSTEP4(Z3, __VA_ARGS__);   \
        ZSTEP4(Z4, __VA_ARGS__);   \
        ZSTEP4(Z5, __VA_ARGS__);   \
        ZSTEP4(Z6, __VA_ARGS__);   \
        ZSTEP4(Z7, __VA_ARGS__);   \
        ZSTEP4(Z8, __VA_ARGS__);   \
    } while (0)
#define ZSTEP2(S, a0, b0, c0, d0, a1, b1, c1, d1) \
    S(a0, b0, c0, d0);                          \
    S(a1, b1, c1, d1)
#define ZGB2(...)                  \
    do {                           \
        ZSTEP2(Z1, __VA_ARGS__);   \
        ZSTEP2(Z2, __VA_ARGS__);   \
        ZSTEP2(Z3, __VA_ARGS__);   \
        ZSTEP2(Z4, __VA_ARGS__);   \
        ZSTEP2(Z5, __VA_ARGS__);   \
        ZSTEP2(Z6, __VA_ARGS__);   \
        ZSTEP2(Z7, __VA_ARGS__);   \
        ZSTEP2(Z8, __VA_ARGS__);   \
    } while (0)

/* _mm512_shuffle_i64x2 selectors: 128-bit lanes 0 and 1 of each source, or lanes 2 and 3. */
#define LOW_HALVES _MM_SHUFFLE(1, 0, 1, 0)
#define HIGH_HALVES _MM_SHUFFLE(3, 2, 3, 2)

/* P on the columns of four columns (§3.5: column j is words 2j + 16k and 2j + 16k + 1, k = 0..7). z[2k + h] holds
   row k's words of columns 4h..4h+3, one column's pair per 128-bit lane: so z[h], z[2 + h], ..., z[14 + h] are
   the four columns' v0v1, v2v3, ..., v14v15 side by side. The column step pairs them as they stand; the diagonal
   step needs (v5 v6), (v7 v4), (v10 v11), (v8 v9), (v15 v12), (v13 v14), 64-bit shifts within each 128-bit lane
   (alignr), so nothing crosses between columns. */
#define COLUMNS(z, h)                                                                                          \
    do {                                                                                                       \
        ZGB2(z[h], z[4 + h], z[8 + h], z[12 + h], z[2 + h], z[6 + h], z[10 + h], z[14 + h]);                   \
        __m512i b0 = _mm512_alignr_epi8(z[6 + h], z[4 + h], 8), b1 = _mm512_alignr_epi8(z[4 + h], z[6 + h], 8); \
        __m512i d0 = _mm512_alignr_epi8(z[12 + h], z[14 + h], 8);                                              \
        __m512i d1 = _mm512_alignr_epi8(z[14 + h], z[12 + h], 8);                                              \
        ZGB2(z[h], b0, z[10 + h], d0, z[2 + h], b1, z[8 + h], d1);                                             \
        z[4 + h] = _mm512_alignr_epi8(b0, b1, 8);                                                              \
        z[6 + h] = _mm512_alignr_epi8(b1, b0, 8);                                                              \
        z[12 + h] = _mm512_alignr_epi8(d1, d0, 8);                                                             \
        z[14 + h] = _mm512_alignr_epi8(d0, d1, 8);                                                             \
    } while (0)

/* G (§3.5): R = X xor Y, P on the rows, P on the columns, result Q xor R. R is not kept (16 registers): X and Y
   are read again at the end, from the L1 cache, and xored with Q in one three-way instruction. */
TARGET_AVX512 void dbt_argon2_compress_avx512(dbt_argon2_block *out, const dbt_argon2_block *x,
                                              const dbt_argon2_block *y, int xor_into,
                                              const dbt_argon2_next_reference *next) {
    const __m512i *xv = (const __m512i *)x->v, *yv = (const __m512i *)y->v;
    __m512i z[16];
    for (int k = 0; k < 16; k++) z[k] = _mm512_xor_si512(_mm512_load_si512(xv + k), _mm512_load_si512(yv + k));

    /* Rows: row r is z[2r] = (v0..v3 | v4..v7) and z[2r + 1] = (v8..v11 | v12..v15). Rows r and r + 4 go side by
       side (a = both rows' v0..v3, b = v4..v7, c = v8..v11, d = v12..v15), so all eight rows run at once. */
    __m512i a[4], b[4], c[4], d[4];
    for (int r = 0; r < 4; r++) {
        a[r] = _mm512_shuffle_i64x2(z[2 * r], z[2 * r + 8], LOW_HALVES);
        b[r] = _mm512_shuffle_i64x2(z[2 * r], z[2 * r + 8], HIGH_HALVES);
        c[r] = _mm512_shuffle_i64x2(z[2 * r + 1], z[2 * r + 9], LOW_HALVES);
        d[r] = _mm512_shuffle_i64x2(z[2 * r + 1], z[2 * r + 9], HIGH_HALVES);
    }
    ZGB4(a[0], b[0], c[0], d[0], a[1], b[1], c[1], d[1], a[2], b[2], c[2], d[2], a[3], b[3], c[3], d[3]);
    /* Rotate b, c, d by one, two, three words within each row (each 256-bit half) to line the diagonals up under
       the columns (§3.6: GB on v0 v5 v10 v15, v1 v6 v11 v12, ...), and back after. */
    for (int r = 0; r < 4; r++) {
        b[r] = _mm512_permutex_epi64(b[r], _MM_SHUFFLE(0, 3, 2, 1));
        c[r] = _mm512_permutex_epi64(c[r], _MM_SHUFFLE(1, 0, 3, 2));
        d[r] = _mm512_permutex_epi64(d[r], _MM_SHUFFLE(2, 1, 0, 3));
    }
    ZGB4(a[0], b[0], c[0], d[0], a[1], b[1], c[1], d[1], a[2], b[2], c[2], d[2], a[3], b[3], c[3], d[3]);
    for (int r = 0; r < 4; r++) {
        b[r] = _mm512_permutex_epi64(b[r], _MM_SHUFFLE(2, 1, 0, 3));
        c[r] = _mm512_permutex_epi64(c[r], _MM_SHUFFLE(1, 0, 3, 2));
        d[r] = _mm512_permutex_epi64(d[r], _MM_SHUFFLE(0, 3, 2, 1));
        z[2 * r] = _mm512_shuffle_i64x2(a[r], b[r], LOW_HALVES);
        z[2 * r + 8] = _mm512_shuffle_i64x2(a[r], b[r], HIGH_HALVES);
        z[2 * r + 1] = _mm512_shuffle_i64x2(c[r], d[r], LOW_HALVES);
        z[2 * r + 9] = _mm512_shuffle_i64x2(c[r], d[r], HIGH_HALVES);
    }

    /* Columns 0 to 3 first: word 0 of the result is then final, and the next reference block is fetched while
       columns 4 to 7 run (measured: better at 19 and 46 MiB than all eight columns at once with the fetch after). */
    COLUMNS(z, 0);
    if (next != NULL) {
        __m512i first = _mm512_ternarylogic_epi64(z[0], _mm512_load_si512(xv), _mm512_load_si512(yv), 0x96);
        uint64_t first_word = (uint64_t)_mm_cvtsi128_si64(_mm512_castsi512_si128(first));
        if (xor_into) first_word ^= out->v[0];
        const char *reference = (const char *)next->locate(next, first_word);
        for (int line = 0; line < DBT_ARGON2_BLOCK_SIZE; line += 64) _mm_prefetch(reference + line, _MM_HINT_T0);
    }
    COLUMNS(z, 1);

    /* 0x96: the three-way xor. */
    __m512i *ov = (__m512i *)out->v;
    if (xor_into) {
        for (int k = 0; k < 16; k++) {
            __m512i g = _mm512_ternarylogic_epi64(z[k], _mm512_load_si512(xv + k), _mm512_load_si512(yv + k), 0x96);
            _mm512_store_si512(ov + k, _mm512_xor_si512(_mm512_load_si512(ov + k), g));
        }
    } else {
        for (int k = 0; k < 16; k++) {
            _mm512_store_si512(
                ov + k, _mm512_ternarylogic_epi64(z[k], _mm512_load_si512(xv + k), _mm512_load_si512(yv + k), 0x96));
        }
    }
}

#endif

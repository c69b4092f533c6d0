/* The compression function G (RFC 9106 §3.5, §3.6) on 256-bit vectors: four 64-bit words per register, the block in
   32 registers. Compiled with per-function target attributes, never global flags, so the binary still runs on any
   x86_64; argon2.c calls these only when the CPU reports the feature. */
#include "argon2_core.h"

#if defined(__x86_64__)

#include <immintrin.h>

/* BlaMka's a + b + 2 * lo(a) * lo(b) (§3.6): _mm256_mul_epu32 multiplies the low 32 bits of each 64-bit word. */
#define VBLAMKA(a, b)                                     \
    ({                                                    \
        __m256i p_ = _mm256_mul_epu32((a), (b));          \
        _mm256_add_epi64(_mm256_add_epi64((a), (b)), _mm256_add_epi64(p_, p_)); \
    })

/* Right rotations of each 64-bit word. AVX2 has none: 32 swaps the halves, 24 and 16 move bytes, 63 is a shift
   by one with the top bit brought round. */
#define ROTR32_AVX2(x) _mm256_shuffle_epi32((x), _MM_SHUFFLE(2, 3, 0, 1))
#define ROTR24_AVX2(x)                                                                                          \
    _mm256_shuffle_epi8((x), _mm256_setr_epi8(3, 4, 5, 6, 7, 0, 1, 2, 11, 12, 13, 14, 15, 8, 9, 10, 3, 4, 5, 6, 7, \
                                              0, 1, 2, 11, 12, 13, 14, 15, 8, 9, 10))
#define ROTR16_AVX2(x)                                                                                          \
    _mm256_shuffle_epi8((x), _mm256_setr_epi8(2, 3, 4, 5, 6, 7, 0, 1, 10, 11, 12, 13, 14, 15, 8, 9, 2, 3, 4, 5, 6, \
                                              7, 0, 1, 10, 11, 12, 13, 14, 15, 8, 9))
#define ROTR63_AVX2(x) _mm256_xor_si256(_mm256_srli_epi64((x), 63), _mm256_add_epi64((x), (x)))

/* AVX-512VL rotates a 64-bit word in one instruction. */
#define ROTR32_512(x) _mm256_ror_epi64((x), 32)
#define ROTR24_512(x) _mm256_ror_epi64((x), 24)
#define ROTR16_512(x) _mm256_ror_epi64((x), 16)
#define ROTR63_512(x) _mm256_ror_epi64((x), 63)

/* GB (§3.6) on four independent word quadruples at once. */
#define VGB(a, b, c, d, R)                         \
    do {                                           \
        a = VBLAMKA(a, b);                         \
        d = ROTR32_##R(_mm256_xor_si256(d, a));    \
        c = VBLAMKA(c, d);                         \
        b = ROTR24_##R(_mm256_xor_si256(b, c));    \
        a = VBLAMKA(a, b);                         \
        d = ROTR16_##R(_mm256_xor_si256(d, a));    \
        c = VBLAMKA(c, d);                         \
        b = ROTR63_##R(_mm256_xor_si256(b, c));    \
    } while (0)

/* P on one row (§3.5: words 16i..16i+15 in registers a = v0..v3, b = v4..v7, c = v8..v11, d = v12..v15): GB on
   the columns of the 4x4 word matrix, then rotate b, c, d by one, two, three words so the diagonals line up. */
#define ROW_ROUND(a, b, c, d, R)                                  \
    do {                                                          \
        VGB(a, b, c, d, R);                                       \
        b = _mm256_permute4x64_epi64(b, _MM_SHUFFLE(0, 3, 2, 1)); \
        c = _mm256_permute4x64_epi64(c, _MM_SHUFFLE(1, 0, 3, 2)); \
        d = _mm256_permute4x64_epi64(d, _MM_SHUFFLE(2, 1, 0, 3)); \
        VGB(a, b, c, d, R);                                       \
        b = _mm256_permute4x64_epi64(b, _MM_SHUFFLE(2, 1, 0, 3)); \
        c = _mm256_permute4x64_epi64(c, _MM_SHUFFLE(1, 0, 3, 2)); \
        d = _mm256_permute4x64_epi64(d, _MM_SHUFFLE(0, 3, 2, 1)); \
    } while (0)

/* P on two columns at once (§3.5: column j is words 2j + 16k, 2j + 16k + 1 for k = 0..7). Register 4k + c holds
   those words of columns 2c (low 128 bits) and 2c + 1 (high 128 bits), so r0..r7 are both columns' v0v1, v2v3,
   ..., v14v15 side by side. The column step pairs r0 with r2, r4, r6 and r1 with r3, r5, r7 as they stand; the
   diagonal step needs (v5 v6 | v7 v4), (v10 v11 | v8 v9), (v15 v12 | v13 v14), which are 64-bit shifts within
   each 128-bit half (alignr), so nothing crosses between the two columns. */
#define COLUMN_ROUND(r0, r1, r2, r3, r4, r5, r6, r7, R) \
    do {                                                \
        VGB(r0, r2, r4, r6, R);                         \
        VGB(r1, r3, r5, r7, R);                         \
        __m256i b0 = _mm256_alignr_epi8(r3, r2, 8);     \
        __m256i b1 = _mm256_alignr_epi8(r2, r3, 8);     \
        __m256i d0 = _mm256_alignr_epi8(r6, r7, 8);     \
        __m256i d1 = _mm256_alignr_epi8(r7, r6, 8);     \
        VGB(r0, b0, r5, d0, R);                         \
        VGB(r1, b1, r4, d1, R);                         \
        r2 = _mm256_alignr_epi8(b0, b1, 8);             \
        r3 = _mm256_alignr_epi8(b1, b0, 8);             \
        r6 = _mm256_alignr_epi8(d1, d0, 8);             \
        r7 = _mm256_alignr_epi8(d0, d1, 8);             \
    } while (0)

#define COMPRESS_BODY(R)                                                                                    \
    do {                                                                                                   \
        __m256i r[32], q[32];                                                                              \
        const __m256i *xv = (const __m256i *)x->v, *yv = (const __m256i *)y->v;                            \
        for (int i = 0; i < 32; i++) q[i] = r[i] = _mm256_xor_si256(_mm256_load_si256(xv + i), _mm256_load_si256(yv + i)); \
        for (int i = 0; i < 8; i++) ROW_ROUND(q[4 * i], q[4 * i + 1], q[4 * i + 2], q[4 * i + 3], R);      \
        for (int c = 0; c < 4; c++)                                                                        \
            COLUMN_ROUND(q[c], q[4 + c], q[8 + c], q[12 + c], q[16 + c], q[20 + c], q[24 + c], q[28 + c], R); \
        __m256i *ov = (__m256i *)out->v;                                                                   \
        if (xor_into) {                                                                                    \
            for (int i = 0; i < 32; i++)                                                                   \
                _mm256_store_si256(ov + i, _mm256_xor_si256(_mm256_load_si256(ov + i), _mm256_xor_si256(q[i], r[i]))); \
        } else {                                                                                           \
            for (int i = 0; i < 32; i++) _mm256_store_si256(ov + i, _mm256_xor_si256(q[i], r[i]));        \
        }                                                                                                  \
    } while (0)

__attribute__((target("avx2"))) void dbt_argon2_compress_avx2(dbt_argon2_block *out, const dbt_argon2_block *x,
                                                              const dbt_argon2_block *y, int xor_into) {
    COMPRESS_BODY(AVX2);
}

__attribute__((target("avx2,avx512f,avx512vl"))) void dbt_argon2_compress_avx512(dbt_argon2_block *out,
                                                                                 const dbt_argon2_block *x,
                                                                                 const dbt_argon2_block *y,
                                                                                 int xor_into) {
    COMPRESS_BODY(512);
}

#endif

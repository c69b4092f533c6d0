/* The compression function G (RFC 9106 §3.5, §3.6) with AVX2: four 64-bit words per register, the block in 32
   registers. Compiled with a per-function target attribute, never global flags, so the binary still runs on any
   x86_64; argon2.c calls it only when the CPU reports AVX2. The AVX-512 version is argon2_fill_avx512.c. */
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
#define ROTR32(x) _mm256_shuffle_epi32((x), _MM_SHUFFLE(2, 3, 0, 1))
#define ROTR24(x)                                                                                          \
    _mm256_shuffle_epi8((x), _mm256_setr_epi8(3, 4, 5, 6, 7, 0, 1, 2, 11, 12, 13, 14, 15, 8, 9, 10, 3, 4, 5, 6, 7, \
                                              0, 1, 2, 11, 12, 13, 14, 15, 8, 9, 10))
#define ROTR16(x)                                                                                          \
    _mm256_shuffle_epi8((x), _mm256_setr_epi8(2, 3, 4, 5, 6, 7, 0, 1, 10, 11, 12, 13, 14, 15, 8, 9, 2, 3, 4, 5, 6, \
                                              7, 0, 1, 10, 11, 12, 13, 14, 15, 8, 9))
#define ROTR63(x) _mm256_xor_si256(_mm256_srli_epi64((x), 63), _mm256_add_epi64((x), (x)))

/* GB (§3.6) on four independent word quadruples at once, as eight steps so that independent GBs can be
   interleaved step by step: one GB is a chain of sixteen dependent instructions, and the CPU overlaps chains
   only as far as they lie close together in the instruction stream. */
#define S1(a, b, c, d) a = VBLAMKA(a, b)
#define S2(a, b, c, d) d = ROTR32(_mm256_xor_si256(d, a))
#define S3(a, b, c, d) c = VBLAMKA(c, d)
#define S4(a, b, c, d) b = ROTR24(_mm256_xor_si256(b, c))
#define S5(a, b, c, d) a = VBLAMKA(a, b)
#define S6(a, b, c, d) d = ROTR16(_mm256_xor_si256(d, a))
#define S7(a, b, c, d) c = VBLAMKA(c, d)
#define S8(a, b, c, d) b = ROTR63(_mm256_xor_si256(b, c))

#define VGB4(a0, b0, c0, d0, a1, b1, c1, d1, a2, b2, c2, d2, a3, b3, c3, d3)                                \
    do {                                                                                               \
        S1(a0, b0, c0, d0); S1(a1, b1, c1, d1); S1(a2, b2, c2, d2); S1(a3, b3, c3, d3);   \
        S2(a0, b0, c0, d0); S2(a1, b1, c1, d1); S2(a2, b2, c2, d2); S2(a3, b3, c3, d3);   \
        S3(a0, b0, c0, d0); S3(a1, b1, c1, d1); S3(a2, b2, c2, d2); S3(a3, b3, c3, d3);   \
        S4(a0, b0, c0, d0); S4(a1, b1, c1, d1); S4(a2, b2, c2, d2); S4(a3, b3, c3, d3);   \
        S5(a0, b0, c0, d0); S5(a1, b1, c1, d1); S5(a2, b2, c2, d2); S5(a3, b3, c3, d3);   \
        S6(a0, b0, c0, d0); S6(a1, b1, c1, d1); S6(a2, b2, c2, d2); S6(a3, b3, c3, d3);   \
        S7(a0, b0, c0, d0); S7(a1, b1, c1, d1); S7(a2, b2, c2, d2); S7(a3, b3, c3, d3);   \
        S8(a0, b0, c0, d0); S8(a1, b1, c1, d1); S8(a2, b2, c2, d2); S8(a3, b3, c3, d3);   \
    } while (0)

/* Rotations of a row's b, c, d registers by one, two, three words, which line the diagonals up under the columns
   (§3.6: GB on v0 v5 v10 v15, v1 v6 v11 v12, ...), and back. */
#define DIAGONALIZE(b, c, d)                                      \
    do {                                                          \
        b = _mm256_permute4x64_epi64(b, _MM_SHUFFLE(0, 3, 2, 1)); \
        c = _mm256_permute4x64_epi64(c, _MM_SHUFFLE(1, 0, 3, 2)); \
        d = _mm256_permute4x64_epi64(d, _MM_SHUFFLE(2, 1, 0, 3)); \
    } while (0)
#define UNDIAGONALIZE(b, c, d)                                    \
    do {                                                          \
        b = _mm256_permute4x64_epi64(b, _MM_SHUFFLE(2, 1, 0, 3)); \
        c = _mm256_permute4x64_epi64(c, _MM_SHUFFLE(1, 0, 3, 2)); \
        d = _mm256_permute4x64_epi64(d, _MM_SHUFFLE(0, 3, 2, 1)); \
    } while (0)

/* P on four rows (§3.5: row i is words 16i..16i+15, in registers a = v0..v3, b = v4..v7, c = v8..v11,
   d = v12..v15): GB on the columns of each row's 4x4 word matrix, then on its diagonals. */
#define ROW_ROUND4(q, i)                                                                               \
    do {                                                                                               \
        VGB4(q[4 * (i)], q[4 * (i) + 1], q[4 * (i) + 2], q[4 * (i) + 3],                               \
             q[4 * (i) + 4], q[4 * (i) + 5], q[4 * (i) + 6], q[4 * (i) + 7],                           \
             q[4 * (i) + 8], q[4 * (i) + 9], q[4 * (i) + 10], q[4 * (i) + 11],                         \
             q[4 * (i) + 12], q[4 * (i) + 13], q[4 * (i) + 14], q[4 * (i) + 15]);                      \
        for (int k_ = 4 * (i); k_ < 4 * (i) + 16; k_ += 4) DIAGONALIZE(q[k_ + 1], q[k_ + 2], q[k_ + 3]);  \
        VGB4(q[4 * (i)], q[4 * (i) + 1], q[4 * (i) + 2], q[4 * (i) + 3],                               \
             q[4 * (i) + 4], q[4 * (i) + 5], q[4 * (i) + 6], q[4 * (i) + 7],                           \
             q[4 * (i) + 8], q[4 * (i) + 9], q[4 * (i) + 10], q[4 * (i) + 11],                         \
             q[4 * (i) + 12], q[4 * (i) + 13], q[4 * (i) + 14], q[4 * (i) + 15]);                      \
        for (int k_ = 4 * (i); k_ < 4 * (i) + 16; k_ += 4) UNDIAGONALIZE(q[k_ + 1], q[k_ + 2], q[k_ + 3]); \
    } while (0)

/* P on four columns (§3.5: column j is words 2j + 16k and 2j + 16k + 1 for k = 0..7), as two pairs. Register
   4k + c holds those words of columns 2c (low 128 bits) and 2c + 1 (high 128 bits), so registers c, 4 + c, ...,
   28 + c are both columns' v0v1, v2v3, ..., v14v15 side by side: the column step pairs them as they stand, and
   the diagonal step needs (v5 v6), (v7 v4), (v10 v11), (v8 v9), (v15 v12), (v13 v14), 64-bit shifts within each
   128-bit half (alignr), so nothing crosses between the two columns. */
#define COLUMN_ROUND2(q, c, e)                                                                             \
    do {                                                                                                   \
        VGB4(q[c], q[8 + c], q[16 + c], q[24 + c], q[4 + c], q[12 + c], q[20 + c], q[28 + c],             \
             q[e], q[8 + e], q[16 + e], q[24 + e], q[4 + e], q[12 + e], q[20 + e], q[28 + e]);             \
        __m256i b0 = _mm256_alignr_epi8(q[12 + c], q[8 + c], 8), b1 = _mm256_alignr_epi8(q[8 + c], q[12 + c], 8); \
        __m256i d0 = _mm256_alignr_epi8(q[24 + c], q[28 + c], 8), d1 = _mm256_alignr_epi8(q[28 + c], q[24 + c], 8); \
        __m256i f0 = _mm256_alignr_epi8(q[12 + e], q[8 + e], 8), f1 = _mm256_alignr_epi8(q[8 + e], q[12 + e], 8); \
        __m256i h0 = _mm256_alignr_epi8(q[24 + e], q[28 + e], 8), h1 = _mm256_alignr_epi8(q[28 + e], q[24 + e], 8); \
        VGB4(q[c], b0, q[20 + c], d0, q[4 + c], b1, q[16 + c], d1,                                         \
             q[e], f0, q[20 + e], h0, q[4 + e], f1, q[16 + e], h1);                                        \
        q[8 + c] = _mm256_alignr_epi8(b0, b1, 8); q[12 + c] = _mm256_alignr_epi8(b1, b0, 8);              \
        q[24 + c] = _mm256_alignr_epi8(d1, d0, 8); q[28 + c] = _mm256_alignr_epi8(d0, d1, 8);             \
        q[8 + e] = _mm256_alignr_epi8(f0, f1, 8); q[12 + e] = _mm256_alignr_epi8(f1, f0, 8);              \
        q[24 + e] = _mm256_alignr_epi8(h1, h0, 8); q[28 + e] = _mm256_alignr_epi8(h0, h1, 8);             \
    } while (0)

/* Word 0 of the result is final once columns 0 to 3 are: fetch the next reference block while 4 to 7 run. */
#define PREFETCH_NEXT_REFERENCE()                                                                 \
    do {                                                                                          \
        if (next != NULL) {                                                                       \
            uint64_t first_word = (uint64_t)_mm256_extract_epi64(_mm256_xor_si256(q[0], r[0]), 0); \
            if (xor_into) first_word ^= out->v[0];                                                \
            const char *ref_ = (const char *)next->locate(next, first_word);                      \
            for (int line = 0; line < 1024; line += 64) _mm_prefetch(ref_ + line, _MM_HINT_T0);   \
        }                                                                                         \
    } while (0)

/* G (§3.5): R = X xor Y, P on the rows, P on the columns, result Q xor R. Four rows or two column pairs at a time:
   more than AVX2's 16 registers hold, but the spills cost less than the chains' latency (measured: 15% faster
   than two rows at a time). */
__attribute__((target("avx2"))) void
dbt_argon2_compress_avx2(dbt_argon2_block *out, const dbt_argon2_block *x, const dbt_argon2_block *y, int xor_into,
                         const dbt_argon2_next_reference *next) {
    __m256i r[32], q[32];
    const __m256i *xv = (const __m256i *)x->v, *yv = (const __m256i *)y->v;
    for (int i = 0; i < 32; i++) q[i] = r[i] = _mm256_xor_si256(_mm256_load_si256(xv + i), _mm256_load_si256(yv + i));
    ROW_ROUND4(q, 0);
    ROW_ROUND4(q, 4);
    COLUMN_ROUND2(q, 0, 1);
    PREFETCH_NEXT_REFERENCE();
    COLUMN_ROUND2(q, 2, 3);
    __m256i *ov = (__m256i *)out->v;
    if (xor_into) {
        for (int i = 0; i < 32; i++)
            _mm256_store_si256(ov + i, _mm256_xor_si256(_mm256_load_si256(ov + i), _mm256_xor_si256(q[i], r[i])));
    } else {
        for (int i = 0; i < 32; i++) _mm256_store_si256(ov + i, _mm256_xor_si256(q[i], r[i]));
    }
}

#endif

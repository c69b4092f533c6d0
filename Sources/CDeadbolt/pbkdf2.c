/* PBKDF2 (RFC 8018 §5.2) with HMAC (RFC 2104) over SHA-1, SHA-256 and SHA-512 (FIPS 180-4), laid out for its hot
   loop.

   Each iteration of PBKDF2 is one HMAC of the previous digest: two compression calls are its whole necessary cost.
   OpenSSL's PKCS5_PBKDF2_HMAC runs every iteration through its generic HMAC and digest layers (context copies,
   buffering, padding, byte order) and reaches about a third of that limit (measured by deadbolt-bench). Here:
   - the inner and outer HMAC states (one compression each of key ⊕ ipad and key ⊕ opad) are computed once per
     derivation and reused by every iteration;
   - U_2 … U_c are one-block messages (digest ‖ 0x80 ‖ zeros ‖ bit length, FIPS 180-4 §5.1) whose padding is laid
     out once as host-order words, so only the digest words change and nothing is encoded inside the loop;
   - on x86 CPUs with the SHA extensions, the SHA-1 and SHA-256 loops keep both states, the block and T_i in vector
     registers for the whole run.
   The portable path (plain C, FIPS 180-4 §6) gives the same answers on every CPU; the tests check every path against
   OpenSSL's PKCS5_PBKDF2_HMAC. Every state, key block and schedule is wiped with OPENSSL_cleanse before returning. */

#include "dbt_pbkdf2.h"

#include <limits.h>
#include <stdatomic.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#if defined(__x86_64__) || defined(__i386__)
#define DBT_HAVE_X86 1
#include <cpuid.h>
#include <immintrin.h>
#endif

/* ---- Words, states and blocks --------------------------------------------------------------------------------- */

/* A chaining state or a message block as host-order words: SHA-1 and SHA-256 use w32, SHA-512 uses w64. Keeping the
   loop's blocks as words is what lets it skip byte-order conversion; bytes appear only at the edges. */
typedef union {
    uint32_t w32[8];
    uint64_t w64[8];
} sha_state;

typedef union {
    uint32_t w32[32];
    uint64_t w64[16];
} sha_block;

typedef void (*compress_fn)(sha_state *state, const sha_block *block, sha_block *schedule);

typedef struct {
    size_t block_len;  /* bytes: 64, or 128 for SHA-512 */
    size_t digest_len; /* bytes: 20, 32 or 64 */
    size_t word_len;   /* bytes: 4, or 8 for SHA-512 */
    const sha_state *initial;
    compress_fn compress;
} sha_desc;

static inline uint32_t rotl32(uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }
static inline uint32_t rotr32(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }
static inline uint64_t rotr64(uint64_t x, int n) { return (x >> n) | (x << (64 - n)); }

static inline uint32_t load_be32(const uint8_t *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

static inline uint64_t load_be64(const uint8_t *p) {
    return ((uint64_t)load_be32(p) << 32) | (uint64_t)load_be32(p + 4);
}

static inline void store_be32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static inline void store_be64(uint8_t *p, uint64_t v) {
    store_be32(p, (uint32_t)(v >> 32));
    store_be32(p + 4, (uint32_t)v);
}

static void decode_block(const sha_desc *desc, sha_block *block, const uint8_t *bytes) {
    if (desc->word_len == 8) {
        for (size_t i = 0; i < 16; i++) block->w64[i] = load_be64(bytes + 8 * i);
    } else {
        for (size_t i = 0; i < 16; i++) block->w32[i] = load_be32(bytes + 4 * i);
    }
}

/* Writes the first len bytes of the state's big-endian encoding (the digest, FIPS 180-4 §6.x.2 step 4). */
static void encode_state(const sha_desc *desc, uint8_t *out, const sha_state *state, size_t len) {
    uint8_t bytes[64];
    if (desc->word_len == 8) {
        for (size_t i = 0; i < 8; i++) store_be64(bytes + 8 * i, state->w64[i]);
    } else {
        for (size_t i = 0; i < 8; i++) store_be32(bytes + 4 * i, state->w32[i]);
    }
    memcpy(out, bytes, len);
    OPENSSL_cleanse(bytes, sizeof bytes);
}

/* ---- Portable compression functions (FIPS 180-4 §6.1.2, §6.2.2, §6.4.2) ------------------------------------------
   The message schedule lives in the caller's `schedule` so that the caller can wipe it once per derivation instead
   of once per call. */

/* FIPS 180-4 §4.2.1. */
#define SHA1_K0 0x5a827999u
#define SHA1_K1 0x6ed9eba1u
#define SHA1_K2 0x8f1bbcdcu
#define SHA1_K3 0xca62c1d6u

static void sha1_compress(sha_state *state, const sha_block *block, sha_block *schedule) {
    uint32_t *w = schedule->w32;
    uint32_t a = state->w32[0], b = state->w32[1], c = state->w32[2], d = state->w32[3], e = state->w32[4];
    for (int t = 0; t < 80; t++) {
        uint32_t wt;
        if (t < 16) {
            wt = block->w32[t];
        } else {
            wt = rotl32(w[(t - 3) & 15] ^ w[(t - 8) & 15] ^ w[(t - 14) & 15] ^ w[t & 15], 1);
        }
        w[t & 15] = wt;
        uint32_t f;
        if (t < 20) {
            f = ((b & c) | (~b & d)) + SHA1_K0;
        } else if (t < 40) {
            f = (b ^ c ^ d) + SHA1_K1;
        } else if (t < 60) {
            f = ((b & c) | (b & d) | (c & d)) + SHA1_K2;
        } else {
            f = (b ^ c ^ d) + SHA1_K3;
        }
        uint32_t temp = rotl32(a, 5) + f + e + wt;
        e = d;
        d = c;
        c = rotl32(b, 30);
        b = a;
        a = temp;
    }
    state->w32[0] += a;
    state->w32[1] += b;
    state->w32[2] += c;
    state->w32[3] += d;
    state->w32[4] += e;
}

/* FIPS 180-4 §4.2.2: the first 32 bits of the fractional parts of the cube roots of the first 64 primes. */
static const uint32_t SHA256_K[64] __attribute__((aligned(16))) = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

/* One SHA-256 round (FIPS 180-4 §6.2.2 step 3) with the working variables renamed instead of shifted: the caller
   rotates the argument order, so no register moves are needed. */
#define SHA256_ROUND(a, b, c, d, e, f, g, h, k, wt)                                                                  \
    do {                                                                                                             \
        uint32_t t1 = (h) + (rotr32((e), 6) ^ rotr32((e), 11) ^ rotr32((e), 25)) + (((e) & (f)) ^ (~(e) & (g))) +    \
                      (k) + (wt);                                                                                    \
        uint32_t t2 = (rotr32((a), 2) ^ rotr32((a), 13) ^ rotr32((a), 22)) + (((a) & (b)) ^ ((a) & (c)) ^ ((b) & (c))); \
        (d) += t1;                                                                                                   \
        (h) = t1 + t2;                                                                                               \
    } while (0)

static inline uint32_t sha256_next_word(uint32_t *w, int t) {
    uint32_t w2 = w[(t - 2) & 15], w15 = w[(t - 15) & 15];
    uint32_t s0 = rotr32(w15, 7) ^ rotr32(w15, 18) ^ (w15 >> 3);
    uint32_t s1 = rotr32(w2, 17) ^ rotr32(w2, 19) ^ (w2 >> 10);
    w[t & 15] += s1 + w[(t - 7) & 15] + s0;
    return w[t & 15];
}

static void sha256_compress(sha_state *state, const sha_block *block, sha_block *schedule) {
    uint32_t *w = schedule->w32;
    uint32_t a = state->w32[0], b = state->w32[1], c = state->w32[2], d = state->w32[3];
    uint32_t e = state->w32[4], f = state->w32[5], g = state->w32[6], h = state->w32[7];
    for (int t = 0; t < 64; t += 8) {
        uint32_t x[8];
        for (int i = 0; i < 8; i++) {
            x[i] = t < 16 ? (w[t + i] = block->w32[t + i]) : sha256_next_word(w, t + i);
        }
        SHA256_ROUND(a, b, c, d, e, f, g, h, SHA256_K[t + 0], x[0]);
        SHA256_ROUND(h, a, b, c, d, e, f, g, SHA256_K[t + 1], x[1]);
        SHA256_ROUND(g, h, a, b, c, d, e, f, SHA256_K[t + 2], x[2]);
        SHA256_ROUND(f, g, h, a, b, c, d, e, SHA256_K[t + 3], x[3]);
        SHA256_ROUND(e, f, g, h, a, b, c, d, SHA256_K[t + 4], x[4]);
        SHA256_ROUND(d, e, f, g, h, a, b, c, SHA256_K[t + 5], x[5]);
        SHA256_ROUND(c, d, e, f, g, h, a, b, SHA256_K[t + 6], x[6]);
        SHA256_ROUND(b, c, d, e, f, g, h, a, SHA256_K[t + 7], x[7]);
    }
    state->w32[0] += a;
    state->w32[1] += b;
    state->w32[2] += c;
    state->w32[3] += d;
    state->w32[4] += e;
    state->w32[5] += f;
    state->w32[6] += g;
    state->w32[7] += h;
}

/* FIPS 180-4 §4.2.3: the first 64 bits of the fractional parts of the cube roots of the first 80 primes. */
static const uint64_t SHA512_K[80] = {
    0x428a2f98d728ae22ull, 0x7137449123ef65cdull, 0xb5c0fbcfec4d3b2full, 0xe9b5dba58189dbbcull,
    0x3956c25bf348b538ull, 0x59f111f1b605d019ull, 0x923f82a4af194f9bull, 0xab1c5ed5da6d8118ull,
    0xd807aa98a3030242ull, 0x12835b0145706fbeull, 0x243185be4ee4b28cull, 0x550c7dc3d5ffb4e2ull,
    0x72be5d74f27b896full, 0x80deb1fe3b1696b1ull, 0x9bdc06a725c71235ull, 0xc19bf174cf692694ull,
    0xe49b69c19ef14ad2ull, 0xefbe4786384f25e3ull, 0x0fc19dc68b8cd5b5ull, 0x240ca1cc77ac9c65ull,
    0x2de92c6f592b0275ull, 0x4a7484aa6ea6e483ull, 0x5cb0a9dcbd41fbd4ull, 0x76f988da831153b5ull,
    0x983e5152ee66dfabull, 0xa831c66d2db43210ull, 0xb00327c898fb213full, 0xbf597fc7beef0ee4ull,
    0xc6e00bf33da88fc2ull, 0xd5a79147930aa725ull, 0x06ca6351e003826full, 0x142929670a0e6e70ull,
    0x27b70a8546d22ffcull, 0x2e1b21385c26c926ull, 0x4d2c6dfc5ac42aedull, 0x53380d139d95b3dfull,
    0x650a73548baf63deull, 0x766a0abb3c77b2a8ull, 0x81c2c92e47edaee6ull, 0x92722c851482353bull,
    0xa2bfe8a14cf10364ull, 0xa81a664bbc423001ull, 0xc24b8b70d0f89791ull, 0xc76c51a30654be30ull,
    0xd192e819d6ef5218ull, 0xd69906245565a910ull, 0xf40e35855771202aull, 0x106aa07032bbd1b8ull,
    0x19a4c116b8d2d0c8ull, 0x1e376c085141ab53ull, 0x2748774cdf8eeb99ull, 0x34b0bcb5e19b48a8ull,
    0x391c0cb3c5c95a63ull, 0x4ed8aa4ae3418acbull, 0x5b9cca4f7763e373ull, 0x682e6ff3d6b2b8a3ull,
    0x748f82ee5defb2fcull, 0x78a5636f43172f60ull, 0x84c87814a1f0ab72ull, 0x8cc702081a6439ecull,
    0x90befffa23631e28ull, 0xa4506cebde82bde9ull, 0xbef9a3f7b2c67915ull, 0xc67178f2e372532bull,
    0xca273eceea26619cull, 0xd186b8c721c0c207ull, 0xeada7dd6cde0eb1eull, 0xf57d4f7fee6ed178ull,
    0x06f067aa72176fbaull, 0x0a637dc5a2c898a6ull, 0x113f9804bef90daeull, 0x1b710b35131c471bull,
    0x28db77f523047d84ull, 0x32caab7b40c72493ull, 0x3c9ebe0a15c9bebcull, 0x431d67c49c100d4cull,
    0x4cc5d4becb3e42b6ull, 0x597f299cfc657e2aull, 0x5fcb6fab3ad6faecull, 0x6c44198c4a475817ull,
};

#define SHA512_ROUND(a, b, c, d, e, f, g, h, k, wt)                                                                  \
    do {                                                                                                             \
        uint64_t t1 = (h) + (rotr64((e), 14) ^ rotr64((e), 18) ^ rotr64((e), 41)) + (((e) & (f)) ^ (~(e) & (g))) +   \
                      (k) + (wt);                                                                                    \
        uint64_t t2 = (rotr64((a), 28) ^ rotr64((a), 34) ^ rotr64((a), 39)) + (((a) & (b)) ^ ((a) & (c)) ^ ((b) & (c))); \
        (d) += t1;                                                                                                   \
        (h) = t1 + t2;                                                                                               \
    } while (0)

static inline uint64_t sha512_next_word(uint64_t *w, int t) {
    uint64_t w2 = w[(t - 2) & 15], w15 = w[(t - 15) & 15];
    uint64_t s0 = rotr64(w15, 1) ^ rotr64(w15, 8) ^ (w15 >> 7);
    uint64_t s1 = rotr64(w2, 19) ^ rotr64(w2, 61) ^ (w2 >> 6);
    w[t & 15] += s1 + w[(t - 7) & 15] + s0;
    return w[t & 15];
}

static void sha512_compress(sha_state *state, const sha_block *block, sha_block *schedule) {
    uint64_t *w = schedule->w64;
    uint64_t a = state->w64[0], b = state->w64[1], c = state->w64[2], d = state->w64[3];
    uint64_t e = state->w64[4], f = state->w64[5], g = state->w64[6], h = state->w64[7];
    for (int t = 0; t < 80; t += 8) {
        uint64_t x[8];
        for (int i = 0; i < 8; i++) {
            x[i] = t < 16 ? (w[t + i] = block->w64[t + i]) : sha512_next_word(w, t + i);
        }
        SHA512_ROUND(a, b, c, d, e, f, g, h, SHA512_K[t + 0], x[0]);
        SHA512_ROUND(h, a, b, c, d, e, f, g, SHA512_K[t + 1], x[1]);
        SHA512_ROUND(g, h, a, b, c, d, e, f, SHA512_K[t + 2], x[2]);
        SHA512_ROUND(f, g, h, a, b, c, d, e, SHA512_K[t + 3], x[3]);
        SHA512_ROUND(e, f, g, h, a, b, c, d, SHA512_K[t + 4], x[4]);
        SHA512_ROUND(d, e, f, g, h, a, b, c, SHA512_K[t + 5], x[5]);
        SHA512_ROUND(c, d, e, f, g, h, a, b, SHA512_K[t + 6], x[6]);
        SHA512_ROUND(b, c, d, e, f, g, h, a, SHA512_K[t + 7], x[7]);
    }
    state->w64[0] += a;
    state->w64[1] += b;
    state->w64[2] += c;
    state->w64[3] += d;
    state->w64[4] += e;
    state->w64[5] += f;
    state->w64[6] += g;
    state->w64[7] += h;
}

/* FIPS 180-4 §5.3.1, §5.3.3 and §5.3.5. */
static const sha_state SHA1_INITIAL = {.w32 = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0}};
static const sha_state SHA256_INITIAL = {
    .w32 = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19}};
static const sha_state SHA512_INITIAL = {
    .w64 = {0x6a09e667f3bcc908ull, 0xbb67ae8584caa73bull, 0x3c6ef372fe94f82bull, 0xa54ff53a5f1d36f1ull,
            0x510e527fade682d1ull, 0x9b05688c2b3e6c1full, 0x1f83d9abfb41bd6bull, 0x5be0cd19137e2179ull}};

static const sha_desc SHA1_DESC = {64, 20, 4, &SHA1_INITIAL, sha1_compress};
static const sha_desc SHA256_DESC = {64, 32, 4, &SHA256_INITIAL, sha256_compress};
static const sha_desc SHA512_DESC = {128, 64, 8, &SHA512_INITIAL, sha512_compress};

static const sha_desc *desc_for(dbt_hash hash) {
    switch (hash) {
    case DBT_SHA1: return &SHA1_DESC;
    case DBT_SHA256: return &SHA256_DESC;
    case DBT_SHA512: return &SHA512_DESC;
    }
    return NULL;
}

/* ---- Streaming, for the parts outside the loop: a long key, and salt ‖ INT(i) -------------------------------------- */

typedef struct {
    const sha_desc *desc;
    sha_state state;
    uint8_t buffer[128];
    size_t buffered;
    uint64_t total; /* bytes absorbed, counting any block already compressed into `state` */
    sha_block block;
    sha_block schedule;
} sha_stream;

static void stream_start(sha_stream *s, const sha_desc *desc, const sha_state *state, uint64_t already) {
    s->desc = desc;
    s->state = *state;
    s->buffered = 0;
    s->total = already;
}

static void stream_update(sha_stream *s, const uint8_t *data, size_t len) {
    const size_t block_len = s->desc->block_len;
    s->total += len;
    while (len > 0) {
        size_t take = block_len - s->buffered;
        if (take > len) take = len;
        memcpy(s->buffer + s->buffered, data, take);
        s->buffered += take;
        data += take;
        len -= take;
        if (s->buffered == block_len) {
            decode_block(s->desc, &s->block, s->buffer);
            s->desc->compress(&s->state, &s->block, &s->schedule);
            s->buffered = 0;
        }
    }
}

/* Pads (FIPS 180-4 §5.1.1, §5.1.2) and compresses the rest; the digest is then s->state. Lengths here stay far below
   2^61 bytes, so SHA-512's 128-bit length field has a zero upper half. */
static void stream_finish(sha_stream *s) {
    const size_t block_len = s->desc->block_len;
    const size_t length_len = block_len / 8;
    uint64_t bits = s->total * 8;
    s->buffer[s->buffered++] = 0x80;
    if (s->buffered > block_len - length_len) {
        memset(s->buffer + s->buffered, 0, block_len - s->buffered);
        decode_block(s->desc, &s->block, s->buffer);
        s->desc->compress(&s->state, &s->block, &s->schedule);
        s->buffered = 0;
    }
    memset(s->buffer + s->buffered, 0, block_len - s->buffered);
    store_be64(s->buffer + block_len - 8, bits);
    decode_block(s->desc, &s->block, s->buffer);
    s->desc->compress(&s->state, &s->block, &s->schedule);
}

/* Lays out the block that U_2 … U_c and every outer hash compress: the previous digest (to be filled in), 0x80, zeros
   and the bit length of key block + digest. */
static void lay_out_digest_block(const sha_desc *desc, sha_block *block) {
    memset(block, 0, sizeof *block);
    const uint64_t bits = (uint64_t)(desc->block_len + desc->digest_len) * 8;
    if (desc->word_len == 8) {
        block->w64[desc->digest_len / 8] = 0x8000000000000000ull;
        block->w64[15] = bits;
    } else {
        block->w32[desc->digest_len / 4] = 0x80000000u;
        block->w32[15] = (uint32_t)bits;
    }
}

static void copy_digest_words(const sha_desc *desc, sha_block *block, const sha_state *state) {
    memcpy(block, state, desc->digest_len);
}

/* ---- The portable loop ------------------------------------------------------------------------------------------
   `u` holds U_1 with its padding, `t` holds T = U_1; runs `count` more iterations. always_inline with a constant
   compression function so each hash gets a direct call. */

static inline __attribute__((always_inline)) void portable_loop(
    compress_fn compress, size_t digest_len, const sha_state *istate, const sha_state *ostate, sha_block *u,
    sha_state *t, uint32_t count, sha_block *schedule, sha_state *scratch) {
    const size_t words = digest_len / 4;
    for (uint32_t n = 0; n < count; n++) {
        *scratch = *istate;
        compress(scratch, u, schedule);
        memcpy(u, scratch, digest_len);
        *scratch = *ostate;
        compress(scratch, u, schedule);
        memcpy(u, scratch, digest_len);
        for (size_t i = 0; i < words; i++) t->w32[i] ^= scratch->w32[i];
    }
}

static void portable_run(dbt_hash hash, const sha_state *istate, const sha_state *ostate, sha_block *u, sha_state *t,
                         uint32_t count, sha_block *schedule, sha_state *scratch) {
    switch (hash) {
    case DBT_SHA1: portable_loop(sha1_compress, 20, istate, ostate, u, t, count, schedule, scratch); break;
    case DBT_SHA256: portable_loop(sha256_compress, 32, istate, ostate, u, t, count, schedule, scratch); break;
    case DBT_SHA512: portable_loop(sha512_compress, 64, istate, ostate, u, t, count, schedule, scratch); break;
    }
}

/* ---- The SHA-NI loops (x86 SHA extensions) ------------------------------------------------------------------------
   The instructions take the state split across registers in their own lane order (SHA-256: ABEF and CDGH; SHA-1:
   ABCD high lane first, E in the high lane) and the message as host-order words (SHA-1 also high lane first). The
   loops keep everything in that form: a digest in the instructions' order is already the next block's first words,
   so an iteration is the two compressions and a few shuffles. */

#if DBT_HAVE_X86

#define DBT_SHA_NI __attribute__((target("sha,sse4.1,ssse3")))
#define DBT_SHA_NI_INLINE static inline __attribute__((always_inline, target("sha,sse4.1,ssse3")))

/* State words A…H (memory order) to the ABEF/CDGH pair sha256rnds2 takes. */
DBT_SHA_NI_INLINE void sha256_ni_split(const uint32_t *words, __m128i *abef, __m128i *cdgh) {
    __m128i badc = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)words), 0xb1);
    __m128i hgfe = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)(words + 4)), 0x1b);
    *abef = _mm_alignr_epi8(badc, hgfe, 8);
    *cdgh = _mm_blend_epi16(hgfe, badc, 0xf0);
}

/* The inverse: ABEF/CDGH to A…D and E…H, the digest's words in order, which are also message words W0…W7. */
DBT_SHA_NI_INLINE void sha256_ni_join(__m128i abef, __m128i cdgh, __m128i *abcd, __m128i *efgh) {
    __m128i abef_r = _mm_shuffle_epi32(abef, 0x1b);
    __m128i ghcd = _mm_shuffle_epi32(cdgh, 0xb1);
    *abcd = _mm_blend_epi16(abef_r, ghcd, 0xf0);
    *efgh = _mm_alignr_epi8(ghcd, abef_r, 8);
}

/* One SHA-256 compression (FIPS 180-4 §6.2.2): four rounds per message register, the schedule (§6.2.2 step 1)
   computed four words at a time by sha256msg1/sha256msg2. */
DBT_SHA_NI_INLINE void sha256_ni_compress(__m128i *abef, __m128i *cdgh, __m128i m0, __m128i m1, __m128i m2,
                                          __m128i m3) {
    __m128i s0 = *abef, s1 = *cdgh, wk;
#define SHA256_NI_QUAD(m, k)                                                                                         \
    wk = _mm_add_epi32((m), _mm_load_si128((const __m128i *)&SHA256_K[k]));                                          \
    s1 = _mm_sha256rnds2_epu32(s1, s0, wk);                                                                          \
    s0 = _mm_sha256rnds2_epu32(s0, s1, _mm_shuffle_epi32(wk, 0x0e))
/* W[t..t+3] from W[t-16..t-13] (a), W[t-12..t-9] (b), W[t-8..t-5] (c), W[t-4..t-1] (d); the result replaces a. */
#define SHA256_NI_NEXT(a, b, c, d)                                                                                   \
    a = _mm_sha256msg2_epu32(_mm_add_epi32(_mm_sha256msg1_epu32((a), (b)), _mm_alignr_epi8((d), (c), 4)), (d))
    SHA256_NI_QUAD(m0, 0);
    SHA256_NI_QUAD(m1, 4);
    SHA256_NI_QUAD(m2, 8);
    SHA256_NI_QUAD(m3, 12);
    for (int k = 16; k < 64; k += 16) {
        SHA256_NI_NEXT(m0, m1, m2, m3);
        SHA256_NI_QUAD(m0, k);
        SHA256_NI_NEXT(m1, m2, m3, m0);
        SHA256_NI_QUAD(m1, k + 4);
        SHA256_NI_NEXT(m2, m3, m0, m1);
        SHA256_NI_QUAD(m2, k + 8);
        SHA256_NI_NEXT(m3, m0, m1, m2);
        SHA256_NI_QUAD(m3, k + 12);
    }
#undef SHA256_NI_QUAD
#undef SHA256_NI_NEXT
    *abef = _mm_add_epi32(*abef, s0);
    *cdgh = _mm_add_epi32(*cdgh, s1);
}

static DBT_SHA_NI void sha256_ni_loop(const sha_state *istate, const sha_state *ostate, sha_block *u, sha_state *t,
                                      uint32_t count) {
    __m128i iabef, icdgh, oabef, ocdgh;
    sha256_ni_split(istate->w32, &iabef, &icdgh);
    sha256_ni_split(ostate->w32, &oabef, &ocdgh);
    __m128i m0 = _mm_loadu_si128((const __m128i *)u->w32);
    __m128i m1 = _mm_loadu_si128((const __m128i *)(u->w32 + 4));
    const __m128i m2 = _mm_loadu_si128((const __m128i *)(u->w32 + 8));
    const __m128i m3 = _mm_loadu_si128((const __m128i *)(u->w32 + 12));
    __m128i t0 = _mm_loadu_si128((const __m128i *)t->w32);
    __m128i t1 = _mm_loadu_si128((const __m128i *)(t->w32 + 4));
    for (uint32_t n = 0; n < count; n++) {
        __m128i abef = iabef, cdgh = icdgh;
        sha256_ni_compress(&abef, &cdgh, m0, m1, m2, m3);
        sha256_ni_join(abef, cdgh, &m0, &m1);
        abef = oabef;
        cdgh = ocdgh;
        sha256_ni_compress(&abef, &cdgh, m0, m1, m2, m3);
        sha256_ni_join(abef, cdgh, &m0, &m1);
        t0 = _mm_xor_si128(t0, m0);
        t1 = _mm_xor_si128(t1, m1);
    }
    _mm_storeu_si128((__m128i *)u->w32, m0);
    _mm_storeu_si128((__m128i *)(u->w32 + 4), m1);
    _mm_storeu_si128((__m128i *)t->w32, t0);
    _mm_storeu_si128((__m128i *)(t->w32 + 4), t1);
}

static DBT_SHA_NI uint32_t sha256_ni_chain(uint64_t count) {
    sha_block block;
    lay_out_digest_block(&SHA256_DESC, &block);
    __m128i abef, cdgh;
    sha256_ni_split(SHA256_INITIAL.w32, &abef, &cdgh);
    __m128i m0 = _mm_loadu_si128((const __m128i *)block.w32);
    __m128i m1 = _mm_loadu_si128((const __m128i *)(block.w32 + 4));
    __m128i m2 = _mm_loadu_si128((const __m128i *)(block.w32 + 8));
    __m128i m3 = _mm_loadu_si128((const __m128i *)(block.w32 + 12));
    for (uint64_t n = 0; n < count; n++) {
        /* Hides the constant block from the compiler, which would otherwise hoist the message schedule out of the
           loop and time a compression cheaper than any PBKDF2 iteration can use. */
        __asm__ volatile("" : "+x"(m0), "+x"(m1), "+x"(m2), "+x"(m3));
        sha256_ni_compress(&abef, &cdgh, m0, m1, m2, m3);
    }
    return (uint32_t)_mm_cvtsi128_si32(abef);
}

/* One SHA-1 compression (FIPS 180-4 §6.1.2): sha1rnds4 does four rounds with the round function of its immediate
   (one per 20-round stage); sha1nexte derives the next E from the A of four rounds earlier (rotated by 30, as the
   working variables shift, §6.1.2 step 3) and adds it to the message words; sha1msg1/sha1msg2 compute the schedule
   W[t] = ROTL1(W[t-3] ^ W[t-8] ^ W[t-14] ^ W[t-16]) four words at a time. */
DBT_SHA_NI_INLINE void sha1_ni_compress(__m128i *abcd_io, __m128i *e_io, __m128i m0, __m128i m1, __m128i m2,
                                        __m128i m3) {
    __m128i abcd = *abcd_io, e0, e1;
#define SHA1_NI_NEXT(a, b, c, d) a = _mm_sha1msg2_epu32(_mm_xor_si128(_mm_sha1msg1_epu32((a), (b)), (c)), (d))
    e0 = _mm_add_epi32(*e_io, m0);
    e1 = abcd;
    abcd = _mm_sha1rnds4_epu32(abcd, e0, 0);
    e1 = _mm_sha1nexte_epu32(e1, m1);
    e0 = abcd;
    abcd = _mm_sha1rnds4_epu32(abcd, e1, 0);
    e0 = _mm_sha1nexte_epu32(e0, m2);
    e1 = abcd;
    abcd = _mm_sha1rnds4_epu32(abcd, e0, 0);
    e1 = _mm_sha1nexte_epu32(e1, m3);
    e0 = abcd;
    abcd = _mm_sha1rnds4_epu32(abcd, e1, 0);
    /* Groups 4…19 of four rounds; group g uses round function g / 5. */
#define SHA1_NI_GROUP(m, ea, eb, f)                                                                                  \
    ea = _mm_sha1nexte_epu32(ea, m);                                                                                 \
    eb = abcd;                                                                                                       \
    abcd = _mm_sha1rnds4_epu32(abcd, ea, f)
    SHA1_NI_NEXT(m0, m1, m2, m3);
    SHA1_NI_GROUP(m0, e0, e1, 0); /* 4 */
    SHA1_NI_NEXT(m1, m2, m3, m0);
    SHA1_NI_GROUP(m1, e1, e0, 1); /* 5 */
    SHA1_NI_NEXT(m2, m3, m0, m1);
    SHA1_NI_GROUP(m2, e0, e1, 1);
    SHA1_NI_NEXT(m3, m0, m1, m2);
    SHA1_NI_GROUP(m3, e1, e0, 1);
    SHA1_NI_NEXT(m0, m1, m2, m3);
    SHA1_NI_GROUP(m0, e0, e1, 1);
    SHA1_NI_NEXT(m1, m2, m3, m0);
    SHA1_NI_GROUP(m1, e1, e0, 1); /* 9 */
    SHA1_NI_NEXT(m2, m3, m0, m1);
    SHA1_NI_GROUP(m2, e0, e1, 2); /* 10 */
    SHA1_NI_NEXT(m3, m0, m1, m2);
    SHA1_NI_GROUP(m3, e1, e0, 2);
    SHA1_NI_NEXT(m0, m1, m2, m3);
    SHA1_NI_GROUP(m0, e0, e1, 2);
    SHA1_NI_NEXT(m1, m2, m3, m0);
    SHA1_NI_GROUP(m1, e1, e0, 2);
    SHA1_NI_NEXT(m2, m3, m0, m1);
    SHA1_NI_GROUP(m2, e0, e1, 2); /* 14 */
    SHA1_NI_NEXT(m3, m0, m1, m2);
    SHA1_NI_GROUP(m3, e1, e0, 3); /* 15 */
    SHA1_NI_NEXT(m0, m1, m2, m3);
    SHA1_NI_GROUP(m0, e0, e1, 3);
    SHA1_NI_NEXT(m1, m2, m3, m0);
    SHA1_NI_GROUP(m1, e1, e0, 3);
    SHA1_NI_NEXT(m2, m3, m0, m1);
    SHA1_NI_GROUP(m2, e0, e1, 3);
    SHA1_NI_NEXT(m3, m0, m1, m2);
    SHA1_NI_GROUP(m3, e1, e0, 3); /* 19 */
#undef SHA1_NI_GROUP
#undef SHA1_NI_NEXT
    /* After group 19, e0 holds the ABCD that group started from: its A, rotated, is the final E. */
    *e_io = _mm_sha1nexte_epu32(e0, *e_io);
    *abcd_io = _mm_add_epi32(*abcd_io, abcd);
}

/* SHA-1 state words A…E (memory order) to the instructions' ABCD (A in the high lane) and E (high lane, rest 0). */
DBT_SHA_NI_INLINE void sha1_ni_split(const uint32_t *words, __m128i *abcd, __m128i *e) {
    *abcd = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)words), 0x1b);
    *e = _mm_set_epi32((int)words[4], 0, 0, 0);
}

static DBT_SHA_NI void sha1_ni_loop(const sha_state *istate, const sha_state *ostate, sha_block *u, sha_state *t,
                                    uint32_t count) {
    __m128i iabcd, ie, oabcd, oe;
    sha1_ni_split(istate->w32, &iabcd, &ie);
    sha1_ni_split(ostate->w32, &oabcd, &oe);
    /* The block in the instructions' order: W0…W3 = A…E's first four, then E, 0x80000000, 0, 0; zeros; the length. */
    const __m128i pad1 = _mm_set_epi32(0, (int)0x80000000u, 0, 0);
    const __m128i m2 = _mm_setzero_si128();
    const __m128i m3 = _mm_set_epi32(0, 0, 0, (int)u->w32[15]);
    __m128i abcd, e;
    sha1_ni_split(u->w32, &abcd, &e);
    __m128i tabcd, te;
    sha1_ni_split(t->w32, &tabcd, &te);
    for (uint32_t n = 0; n < count; n++) {
        __m128i m0 = abcd, m1 = _mm_or_si128(e, pad1);
        abcd = iabcd;
        e = ie;
        sha1_ni_compress(&abcd, &e, m0, m1, m2, m3);
        m0 = abcd;
        m1 = _mm_or_si128(e, pad1);
        abcd = oabcd;
        e = oe;
        sha1_ni_compress(&abcd, &e, m0, m1, m2, m3);
        tabcd = _mm_xor_si128(tabcd, abcd);
        te = _mm_xor_si128(te, e);
    }
    _mm_storeu_si128((__m128i *)u->w32, _mm_shuffle_epi32(abcd, 0x1b));
    u->w32[4] = (uint32_t)_mm_extract_epi32(e, 3);
    _mm_storeu_si128((__m128i *)t->w32, _mm_shuffle_epi32(tabcd, 0x1b));
    t->w32[4] = (uint32_t)_mm_extract_epi32(te, 3);
}

static DBT_SHA_NI uint32_t sha1_ni_chain(uint64_t count) {
    sha_block block;
    lay_out_digest_block(&SHA1_DESC, &block);
    __m128i abcd, e, m0, m1;
    sha1_ni_split(SHA1_INITIAL.w32, &abcd, &e);
    sha1_ni_split(block.w32, &m0, &m1);
    m1 = _mm_or_si128(m1, _mm_set_epi32(0, (int)0x80000000u, 0, 0));
    __m128i m2 = _mm_setzero_si128();
    __m128i m3 = _mm_set_epi32(0, 0, 0, (int)block.w32[15]);
    for (uint64_t n = 0; n < count; n++) {
        __asm__ volatile("" : "+x"(m0), "+x"(m1), "+x"(m2), "+x"(m3)); /* as in sha256_ni_chain */
        sha1_ni_compress(&abcd, &e, m0, m1, m2, m3);
    }
    return (uint32_t)_mm_extract_epi32(abcd, 3);
}

#endif /* DBT_HAVE_X86 */

/* ---- The loop over libcrypto's compression functions ----------------------------------------------------------
   SHA1_Transform, SHA256_Transform and SHA512_Transform compress one block into a context's raw state with OpenSSL's
   assembly chosen for this CPU at run time: for SHA-512, where x86 has no SHA extension, Deadbolt's plain-C path takes
   about twice as long (deadbolt-bench's pbkdf2 group). Only the chaining state of the context is used. The block is
   laid out once as bytes; an iteration stores the digest into it in big-endian order (a few bswaps) and compresses.
   OpenSSL 3 deprecates these functions but still exports them, and they compute exactly FIPS 180-4's compression. */

#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wdeprecated-declarations"
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

typedef union {
    SHA_CTX sha1;
    SHA256_CTX sha256;
    SHA512_CTX sha512;
} libcrypto_ctx;

static void encode_block(const sha_desc *desc, uint8_t *bytes, const sha_block *block) {
    if (desc->word_len == 8) {
        for (size_t i = 0; i < 16; i++) store_be64(bytes + 8 * i, block->w64[i]);
    } else {
        for (size_t i = 0; i < 16; i++) store_be32(bytes + 4 * i, block->w32[i]);
    }
}

static void sha1_transform_loop(const sha_state *istate, const sha_state *ostate, uint8_t *block, sha_state *t,
                                uint32_t count, SHA_CTX *ctx) {
    for (uint32_t n = 0; n < count; n++) {
        for (int pass = 0; pass < 2; pass++) {
            const uint32_t *start = pass == 0 ? istate->w32 : ostate->w32;
            ctx->h0 = start[0];
            ctx->h1 = start[1];
            ctx->h2 = start[2];
            ctx->h3 = start[3];
            ctx->h4 = start[4];
            SHA1_Transform(ctx, block);
            store_be32(block, ctx->h0);
            store_be32(block + 4, ctx->h1);
            store_be32(block + 8, ctx->h2);
            store_be32(block + 12, ctx->h3);
            store_be32(block + 16, ctx->h4);
        }
        t->w32[0] ^= ctx->h0;
        t->w32[1] ^= ctx->h1;
        t->w32[2] ^= ctx->h2;
        t->w32[3] ^= ctx->h3;
        t->w32[4] ^= ctx->h4;
    }
}

static void sha256_transform_loop(const sha_state *istate, const sha_state *ostate, uint8_t *block, sha_state *t,
                                  uint32_t count, SHA256_CTX *ctx) {
    for (uint32_t n = 0; n < count; n++) {
        for (int i = 0; i < 8; i++) ctx->h[i] = istate->w32[i];
        SHA256_Transform(ctx, block);
        for (int i = 0; i < 8; i++) store_be32(block + 4 * i, ctx->h[i]);
        for (int i = 0; i < 8; i++) ctx->h[i] = ostate->w32[i];
        SHA256_Transform(ctx, block);
        for (int i = 0; i < 8; i++) {
            store_be32(block + 4 * i, ctx->h[i]);
            t->w32[i] ^= ctx->h[i];
        }
    }
}

static void sha512_transform_loop(const sha_state *istate, const sha_state *ostate, uint8_t *block, sha_state *t,
                                  uint32_t count, SHA512_CTX *ctx) {
    for (uint32_t n = 0; n < count; n++) {
        for (int i = 0; i < 8; i++) ctx->h[i] = istate->w64[i];
        SHA512_Transform(ctx, block);
        for (int i = 0; i < 8; i++) store_be64(block + 8 * i, ctx->h[i]);
        for (int i = 0; i < 8; i++) ctx->h[i] = ostate->w64[i];
        SHA512_Transform(ctx, block);
        for (int i = 0; i < 8; i++) {
            store_be64(block + 8 * i, ctx->h[i]);
            t->w64[i] ^= ctx->h[i];
        }
    }
}

static void transform_run(const sha_desc *desc, dbt_hash hash, const sha_state *istate, const sha_state *ostate,
                          const sha_block *u, sha_state *t, uint32_t count, uint8_t *block, libcrypto_ctx *ctx) {
    encode_block(desc, block, u);
    switch (hash) {
    case DBT_SHA1: sha1_transform_loop(istate, ostate, block, t, count, &ctx->sha1); break;
    case DBT_SHA256: sha256_transform_loop(istate, ostate, block, t, count, &ctx->sha256); break;
    case DBT_SHA512: sha512_transform_loop(istate, ostate, block, t, count, &ctx->sha512); break;
    }
}

static uint64_t transform_chain(dbt_hash hash, uint64_t count) {
    uint8_t block[128];
    memset(block, 0, sizeof block);
    libcrypto_ctx ctx;
    switch (hash) {
    case DBT_SHA1:
        SHA1_Init(&ctx.sha1);
        for (uint64_t n = 0; n < count; n++) SHA1_Transform(&ctx.sha1, block);
        return ctx.sha1.h0;
    case DBT_SHA256:
        SHA256_Init(&ctx.sha256);
        for (uint64_t n = 0; n < count; n++) SHA256_Transform(&ctx.sha256, block);
        return ctx.sha256.h[0];
    case DBT_SHA512:
        SHA512_Init(&ctx.sha512);
        for (uint64_t n = 0; n < count; n++) SHA512_Transform(&ctx.sha512, block);
        return ctx.sha512.h[0];
    }
    return 0;
}

#pragma GCC diagnostic pop
#pragma clang diagnostic pop

/* cpuid leaf 7 EBX bit 29 (SHA), with SSSE3 and SSE4.1 (leaf 1 ECX bits 9 and 19) for the shuffles. Cached: under
   a hypervisor cpuid traps and costs microseconds. -1 means not yet asked. */
#if DBT_HAVE_X86
static atomic_int sha_ni_cached = -1;
#endif

static int cpu_has_sha_ni(void) {
#if DBT_HAVE_X86
    int cached = atomic_load_explicit(&sha_ni_cached, memory_order_relaxed);
    if (cached >= 0) return cached;
    unsigned int eax = 0, ebx = 0, ecx = 0, edx = 0;
    int has = 0;
    if (__get_cpuid(1, &eax, &ebx, &ecx, &edx) && (ecx & (1u << 9)) && (ecx & (1u << 19)) &&
        __get_cpuid_max(0, NULL) >= 7) {
        __cpuid_count(7, 0, eax, ebx, ecx, edx);
        has = (ebx >> 29) & 1;
    }
    atomic_store_explicit(&sha_ni_cached, has, memory_order_relaxed);
    return has;
#else
    return 0;
#endif
}

int dbt_pbkdf2_has_sha_ni(dbt_hash hash) {
    return (hash == DBT_SHA1 || hash == DBT_SHA256) && cpu_has_sha_ni();
}

/* ---- PBKDF2 ------------------------------------------------------------------------------------------------------ */

/* Everything secret a derivation holds, in one place so one OPENSSL_cleanse wipes it. */
typedef struct {
    uint8_t key_block[128]; /* K0, then K0 ⊕ ipad / opad (RFC 2104 §2) */
    sha_block block;
    sha_block schedule;
    sha_state istate, ostate, scratch, t;
    sha_block u;
    sha_stream stream;
    uint8_t t_bytes[64];
    uint8_t block_bytes[128];
    libcrypto_ctx libcrypto;
} pbkdf2_work;

static int openssl_pbkdf2(dbt_hash hash, const uint8_t *password, size_t password_len, const uint8_t *salt,
                          size_t salt_len, uint32_t iterations, uint8_t *key, size_t key_len) {
    const EVP_MD *md = NULL;
    switch (hash) {
    case DBT_SHA1: md = EVP_sha1(); break;
    case DBT_SHA256: md = EVP_sha256(); break;
    case DBT_SHA512: md = EVP_sha512(); break;
    }
    if (md == NULL) return 0;
    static const uint8_t empty = 0;
    return PKCS5_PBKDF2_HMAC((const char *)(password_len > 0 ? password : &empty), (int)password_len,
                             salt_len > 0 ? salt : &empty, (int)salt_len, (int)iterations, md, (int)key_len, key);
}

static void derive(pbkdf2_work *w, const sha_desc *desc, dbt_hash hash, dbt_pbkdf2_implementation loop, const uint8_t *password,
                   size_t password_len, const uint8_t *salt, size_t salt_len, uint32_t iterations, uint8_t *key,
                   size_t key_len) {
    const size_t block_len = desc->block_len, digest_len = desc->digest_len;

    /* RFC 2104 §2: a key longer than the block is hashed first; then K0 is zero-padded to the block. */
    memset(w->key_block, 0, sizeof w->key_block);
    if (password_len > block_len) {
        stream_start(&w->stream, desc, desc->initial, 0);
        stream_update(&w->stream, password, password_len);
        stream_finish(&w->stream);
        encode_state(desc, w->key_block, &w->stream.state, digest_len);
    } else if (password_len > 0) {
        memcpy(w->key_block, password, password_len);
    }
    for (size_t i = 0; i < block_len; i++) w->key_block[i] ^= 0x36;
    decode_block(desc, &w->block, w->key_block);
    w->istate = *desc->initial;
    desc->compress(&w->istate, &w->block, &w->schedule);
    for (size_t i = 0; i < block_len; i++) w->key_block[i] ^= 0x36 ^ 0x5c;
    decode_block(desc, &w->block, w->key_block);
    w->ostate = *desc->initial;
    desc->compress(&w->ostate, &w->block, &w->schedule);

    /* RFC 8018 §5.2 step 3: T_i = U_1 ⊕ … ⊕ U_c for each block i of the derived key. */
    for (uint32_t i = 1; key_len > 0; i++) {
        uint8_t counter[4];
        store_be32(counter, i);
        /* U_1 = PRF(P, S ‖ INT(i)): the inner hash continues from istate, one block already absorbed. */
        stream_start(&w->stream, desc, &w->istate, block_len);
        stream_update(&w->stream, salt, salt_len);
        stream_update(&w->stream, counter, sizeof counter);
        stream_finish(&w->stream);
        lay_out_digest_block(desc, &w->u);
        copy_digest_words(desc, &w->u, &w->stream.state);
        w->t = w->ostate;
        desc->compress(&w->t, &w->u, &w->schedule);
        copy_digest_words(desc, &w->u, &w->t);

        const uint32_t more = iterations - 1;
        switch (loop) {
        case DBT_PBKDF2_SHA_NI:
#if DBT_HAVE_X86
            if (hash == DBT_SHA256) {
                sha256_ni_loop(&w->istate, &w->ostate, &w->u, &w->t, more);
            } else {
                sha1_ni_loop(&w->istate, &w->ostate, &w->u, &w->t, more);
            }
#endif
            break;
        case DBT_PBKDF2_LIBCRYPTO_TRANSFORM:
            transform_run(desc, hash, &w->istate, &w->ostate, &w->u, &w->t, more, w->block_bytes, &w->libcrypto);
            break;
        default:
            portable_run(hash, &w->istate, &w->ostate, &w->u, &w->t, more, &w->schedule, &w->scratch);
            break;
        }

        const size_t take = key_len < digest_len ? key_len : digest_len;
        encode_state(desc, w->t_bytes, &w->t, digest_len);
        memcpy(key, w->t_bytes, take);
        key += take;
        key_len -= take;
    }
}

int dbt_pbkdf2_with(dbt_pbkdf2_implementation implementation, dbt_hash hash,
                    const uint8_t *password, size_t password_len,
                    const uint8_t *salt, size_t salt_len,
                    uint32_t iterations,
                    uint8_t *key, size_t key_len) {
    const sha_desc *desc = desc_for(hash);
    if (desc == NULL || password_len > INT_MAX || salt_len > INT_MAX || key_len > INT_MAX || iterations == 0 ||
        iterations > INT_MAX || (key == NULL && key_len > 0) || (password == NULL && password_len > 0) ||
        (salt == NULL && salt_len > 0)) {
        return 0;
    }
    dbt_pbkdf2_implementation loop = implementation;
    switch (implementation) {
    case DBT_PBKDF2_OPENSSL:
        return openssl_pbkdf2(hash, password, password_len, salt, salt_len, iterations, key, key_len);
    case DBT_PBKDF2_AUTO:
        loop = dbt_pbkdf2_has_sha_ni(hash) ? DBT_PBKDF2_SHA_NI : DBT_PBKDF2_LIBCRYPTO_TRANSFORM;
        break;
    case DBT_PBKDF2_SHA_NI:
        if (!dbt_pbkdf2_has_sha_ni(hash)) return 0;
        break;
    case DBT_PBKDF2_PORTABLE:
    case DBT_PBKDF2_LIBCRYPTO_TRANSFORM:
        break;
    default: return 0;
    }
    pbkdf2_work work;
    derive(&work, desc, hash, loop, password, password_len, salt, salt_len, iterations, key, key_len);
    OPENSSL_cleanse(&work, sizeof work);
    return 1;
}

int dbt_pbkdf2(dbt_hash hash,
               const uint8_t *password, size_t password_len,
               const uint8_t *salt, size_t salt_len,
               uint32_t iterations,
               uint8_t *key, size_t key_len) {
    return dbt_pbkdf2_with(DBT_PBKDF2_AUTO, hash, password, password_len, salt, salt_len, iterations, key, key_len);
}

uint64_t dbt_pbkdf2_compress_chain(dbt_pbkdf2_implementation implementation, dbt_hash hash, uint64_t count) {
    const sha_desc *desc = desc_for(hash);
    if (desc == NULL) return 0;
    if (implementation == DBT_PBKDF2_SHA_NI) {
        if (!dbt_pbkdf2_has_sha_ni(hash)) return 0;
#if DBT_HAVE_X86
        return hash == DBT_SHA1 ? sha1_ni_chain(count) : sha256_ni_chain(count);
#endif
    }
    if (implementation == DBT_PBKDF2_LIBCRYPTO_TRANSFORM) return transform_chain(hash, count);
    if (implementation != DBT_PBKDF2_PORTABLE) return 0;
    sha_block block, schedule;
    lay_out_digest_block(desc, &block);
    sha_state state = *desc->initial;
    for (uint64_t n = 0; n < count; n++) {
        __asm__ volatile("" : : "r"(&block) : "memory"); /* as in sha256_ni_chain */
        desc->compress(&state, &block, &schedule);
    }
    return desc->word_len == 8 ? state.w64[0] : state.w32[0];
}

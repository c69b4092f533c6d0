#include "dbt_blake2b.h"

#include <string.h>

/* RFC 7693 §2.6: the SHA-512 initialisation vector. */
static const uint64_t blake2b_iv[8] = {
    0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL, 0x3c6ef372fe94f82bULL, 0xa54ff53a5f1d36f1ULL,
    0x510e527fade682d1ULL, 0x9b05688c2b3e6c1fULL, 0x1f83d9abfb41bd6bULL, 0x5be0cd19137e2179ULL,
};

/* RFC 7693 §2.7: message word schedule; rounds 10 and 11 reuse rows 0 and 1. */
static const uint8_t blake2b_sigma[12][16] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
    {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4},
    {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
    {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13},
    {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
    {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11},
    {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
    {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5},
    {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
};

static inline uint64_t rotr64(uint64_t x, unsigned n) { return (x >> n) | (x << (64 - n)); }

static inline uint64_t load64_le(const uint8_t *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

static inline void store64_le(uint8_t *p, uint64_t v) {
    for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}

/* RFC 7693 §3.1: the mixing function G. */
#define B2B_G(a, b, c, d, x, y)          \
    do {                                 \
        a = a + b + (x);                 \
        d = rotr64(d ^ a, 32);           \
        c = c + d;                       \
        b = rotr64(b ^ c, 24);           \
        a = a + b + (y);                 \
        d = rotr64(d ^ a, 16);           \
        c = c + d;                       \
        b = rotr64(b ^ c, 63);           \
    } while (0)

/* RFC 7693 §3.2: the compression function F. */
static void blake2b_compress(dbt_blake2b_state *s, const uint8_t block[128], int last) {
    uint64_t m[16], v[16];
    for (int i = 0; i < 16; i++) m[i] = load64_le(block + 8 * i);
    for (int i = 0; i < 8; i++) {
        v[i] = s->h[i];
        v[i + 8] = blake2b_iv[i];
    }
    v[12] ^= s->t[0];
    v[13] ^= s->t[1];
    if (last) v[14] = ~v[14];
    for (int r = 0; r < 12; r++) {
        const uint8_t *sg = blake2b_sigma[r];
        B2B_G(v[0], v[4], v[8], v[12], m[sg[0]], m[sg[1]]);
        B2B_G(v[1], v[5], v[9], v[13], m[sg[2]], m[sg[3]]);
        B2B_G(v[2], v[6], v[10], v[14], m[sg[4]], m[sg[5]]);
        B2B_G(v[3], v[7], v[11], v[15], m[sg[6]], m[sg[7]]);
        B2B_G(v[0], v[5], v[10], v[15], m[sg[8]], m[sg[9]]);
        B2B_G(v[1], v[6], v[11], v[12], m[sg[10]], m[sg[11]]);
        B2B_G(v[2], v[7], v[8], v[13], m[sg[12]], m[sg[13]]);
        B2B_G(v[3], v[4], v[9], v[14], m[sg[14]], m[sg[15]]);
    }
    for (int i = 0; i < 8; i++) s->h[i] ^= v[i] ^ v[i + 8];
    dbt_cleanse(m, sizeof m);
    dbt_cleanse(v, sizeof v);
}

static void blake2b_count(dbt_blake2b_state *s, size_t n) {
    s->t[0] += n;
    if (s->t[0] < n) s->t[1]++;
}

int dbt_blake2b_init(dbt_blake2b_state *state, size_t out_len) {
    if (out_len == 0 || out_len > 64) return -1;
    memset(state, 0, sizeof *state);
    for (int i = 0; i < 8; i++) state->h[i] = blake2b_iv[i];
    /* RFC 7693 §2.5 parameter block: digest length, no key, fanout 1, depth 1. */
    state->h[0] ^= 0x01010000ULL ^ (uint64_t)out_len;
    state->out_len = out_len;
    return 0;
}

void dbt_blake2b_update(dbt_blake2b_state *state, const void *in, size_t in_len) {
    const uint8_t *p = in;
    while (in_len > 0) {
        /* The last block must be compressed with the final flag, so a full buffer waits for more input. */
        if (state->buffered == 128) {
            blake2b_count(state, 128);
            blake2b_compress(state, state->buffer, 0);
            state->buffered = 0;
        }
        size_t take = 128 - state->buffered;
        if (take > in_len) take = in_len;
        memcpy(state->buffer + state->buffered, p, take);
        state->buffered += take;
        p += take;
        in_len -= take;
    }
}

void dbt_blake2b_final(dbt_blake2b_state *state, uint8_t *out) {
    blake2b_count(state, state->buffered);
    memset(state->buffer + state->buffered, 0, 128 - state->buffered);
    blake2b_compress(state, state->buffer, 1);
    uint8_t digest[64];
    for (int i = 0; i < 8; i++) store64_le(digest + 8 * i, state->h[i]);
    memcpy(out, digest, state->out_len);
    dbt_cleanse(digest, sizeof digest);
    dbt_cleanse(state, sizeof *state);
}

void dbt_blake2b_long(uint8_t *out, size_t out_len, const void *in, size_t in_len) {
    uint8_t length[4];
    for (int i = 0; i < 4; i++) length[i] = (uint8_t)((uint64_t)out_len >> (8 * i));
    dbt_blake2b_state s;
    if (out_len <= 64) {
        dbt_blake2b_init(&s, out_len);
        dbt_blake2b_update(&s, length, 4);
        dbt_blake2b_update(&s, in, in_len);
        dbt_blake2b_final(&s, out);
        return;
    }
    /* RFC 9106 §3.3: r = ceil(T/32) - 2 full 64-byte hashes, each contributing its first 32 bytes, then one last
       hash of T - 32r bytes. */
    size_t r = (out_len + 31) / 32 - 2;
    uint8_t v[64];
    dbt_blake2b_init(&s, 64);
    dbt_blake2b_update(&s, length, 4);
    dbt_blake2b_update(&s, in, in_len);
    dbt_blake2b_final(&s, v);
    memcpy(out, v, 32);
    for (size_t i = 1; i < r; i++) {
        dbt_blake2b_init(&s, 64);
        dbt_blake2b_update(&s, v, 64);
        dbt_blake2b_final(&s, v);
        memcpy(out + 32 * i, v, 32);
    }
    dbt_blake2b_init(&s, out_len - 32 * r);
    dbt_blake2b_update(&s, v, 64);
    dbt_blake2b_final(&s, out + 32 * r);
    dbt_cleanse(v, sizeof v);
}

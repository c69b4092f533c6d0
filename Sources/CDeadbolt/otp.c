/* The low-level SHA interfaces are deprecated in OpenSSL 3 but remain exported. They are the only libcrypto hash
   states that are plain structs: copying one is a memcpy, where EVP_MD_CTX_copy_ex and HMAC_CTX_copy allocate.
   Each HMAC of a window step is exactly two compression calls (SHA*_Transform, OpenSSL's assembly for this CPU) on
   blocks padded once per call (RFC 4226's 8-byte counter and the inner digest each fit one block): Update/Final's
   buffering and padding per step measured about a third of the window's time. No allocation. */
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include "dbt_otp.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <string.h>

typedef union {
    SHA_CTX sha1;
    SHA256_CTX sha256;
    SHA512_CTX sha512;
} dbt_sha_ctx;

typedef struct {
    dbt_hash hash;
    size_t digest_len;
    dbt_sha_ctx inner; /* after absorbing K' XOR ipad (RFC 2104 §2, step 2-3) */
    dbt_sha_ctx outer; /* after absorbing K' XOR opad (RFC 2104 §2, step 5-6) */
} dbt_otp_state;

#define DBT_MAX_BLOCK 128
#define DBT_MAX_DIGEST 64

static const uint32_t dbt_pow10[9] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000};

size_t dbt_otp_key_size(void) { return sizeof(dbt_otp_state); }

static int sha_init(dbt_hash hash, dbt_sha_ctx *c) {
    switch (hash) {
    case DBT_SHA1: return SHA1_Init(&c->sha1);
    case DBT_SHA256: return SHA256_Init(&c->sha256);
    case DBT_SHA512: return SHA512_Init(&c->sha512);
    }
    return 0;
}

static int sha_update(dbt_hash hash, dbt_sha_ctx *c, const uint8_t *data, size_t len) {
    switch (hash) {
    case DBT_SHA1: return SHA1_Update(&c->sha1, data, len);
    case DBT_SHA256: return SHA256_Update(&c->sha256, data, len);
    case DBT_SHA512: return SHA512_Update(&c->sha512, data, len);
    }
    return 0;
}

static int sha_final(dbt_hash hash, dbt_sha_ctx *c, uint8_t *out) {
    switch (hash) {
    case DBT_SHA1: return SHA1_Final(out, &c->sha1);
    case DBT_SHA256: return SHA256_Final(out, &c->sha256);
    case DBT_SHA512: return SHA512_Final(out, &c->sha512);
    }
    return 0;
}

int dbt_otp_key_init(void *key, dbt_hash hash, const uint8_t *secret, size_t secret_len) {
    dbt_otp_state *state = (dbt_otp_state *)key;
    size_t digest_len = dbt_hash_size(hash);
    if (state == NULL || digest_len == 0 || secret == NULL || secret_len < DBT_OTP_MIN_SECRET ||
        secret_len > DBT_OTP_MAX_SECRET) {
        return 0;
    }
    size_t block = hash == DBT_SHA512 ? 128 : 64;
    uint8_t k[DBT_MAX_BLOCK];
    uint8_t pad[DBT_MAX_BLOCK];
    dbt_sha_ctx scratch;
    int ok = 1;
    memset(k, 0, sizeof(k));
    memset(state, 0, sizeof(*state));
    /* RFC 2104 §2: a key longer than the block is replaced by its hash. */
    if (secret_len > block) {
        ok = sha_init(hash, &scratch) && sha_update(hash, &scratch, secret, secret_len) && sha_final(hash, &scratch, k);
    } else {
        memcpy(k, secret, secret_len);
    }
    for (size_t i = 0; i < block; i++) pad[i] = k[i] ^ 0x36;
    ok = ok && sha_init(hash, &state->inner) && sha_update(hash, &state->inner, pad, block);
    for (size_t i = 0; i < block; i++) pad[i] = k[i] ^ 0x5c;
    ok = ok && sha_init(hash, &state->outer) && sha_update(hash, &state->outer, pad, block);
    state->hash = hash;
    state->digest_len = digest_len;
    OPENSSL_cleanse(k, sizeof(k));
    OPENSSL_cleanse(pad, sizeof(pad));
    OPENSSL_cleanse(&scratch, sizeof(scratch));
    if (!ok) {
        OPENSSL_cleanse(state, sizeof(*state));
    }
    return ok;
}

/* The two message blocks of one HMAC step, padded once (FIPS 180-4 §5.1) for the lengths HOTP uses: the inner
   hash absorbs one key block then the 8-byte counter, the outer one key block then the inner digest. Only the
   counter and the digest bytes change from step to step. */
typedef struct {
    uint8_t inner[DBT_MAX_BLOCK];
    uint8_t outer[DBT_MAX_BLOCK];
} dbt_otp_blocks;

static void store_be(uint8_t *out, uint64_t value, int bytes) {
    for (int i = bytes - 1; i >= 0; i--) {
        out[i] = (uint8_t)(value & 0xff);
        value >>= 8;
    }
}

static void lay_out_blocks(const dbt_otp_state *state, dbt_otp_blocks *blocks) {
    size_t block = state->hash == DBT_SHA512 ? 128 : 64;
    /* The bit length ends the block: 8 bytes for SHA-1/256, 16 for SHA-512, whose high 8 stay zero here. */
    memset(blocks, 0, sizeof(*blocks));
    blocks->inner[8] = 0x80;
    store_be(blocks->inner + block - 8, (uint64_t)(block + 8) * 8, 8);
    blocks->outer[state->digest_len] = 0x80;
    store_be(blocks->outer + block - 8, (uint64_t)(block + state->digest_len) * 8, 8);
}

/* One compression of block into the chaining value in c. */
static void transform(dbt_hash hash, dbt_sha_ctx *c, const uint8_t *block) {
    switch (hash) {
    case DBT_SHA1: SHA1_Transform(&c->sha1, block); break;
    case DBT_SHA256: SHA256_Transform(&c->sha256, block); break;
    case DBT_SHA512: SHA512_Transform(&c->sha512, block); break;
    }
}

/* The chaining value in c as the big-endian digest bytes. */
static void digest_of(dbt_hash hash, const dbt_sha_ctx *c, uint8_t *out) {
    switch (hash) {
    case DBT_SHA1:
        store_be(out, c->sha1.h0, 4);
        store_be(out + 4, c->sha1.h1, 4);
        store_be(out + 8, c->sha1.h2, 4);
        store_be(out + 12, c->sha1.h3, 4);
        store_be(out + 16, c->sha1.h4, 4);
        break;
    case DBT_SHA256:
        for (int i = 0; i < 8; i++) store_be(out + 4 * i, c->sha256.h[i], 4);
        break;
    case DBT_SHA512:
        for (int i = 0; i < 8; i++) store_be(out + 8 * i, c->sha512.h[i], 8);
        break;
    }
}

static void copy_ctx(dbt_hash hash, dbt_sha_ctx *to, const dbt_sha_ctx *from) {
    switch (hash) {
    case DBT_SHA1: to->sha1 = from->sha1; break;
    case DBT_SHA256: to->sha256 = from->sha256; break;
    case DBT_SHA512: to->sha512 = from->sha512; break;
    }
}

/* One HOTP value; scratch, blocks and mac are the caller's, wiped by the caller once after its loop. */
static void otp_value(const dbt_otp_state *state, uint64_t counter, uint32_t modulus,
                      dbt_sha_ctx *scratch, dbt_otp_blocks *blocks, uint8_t *mac, uint32_t *value) {
    /* RFC 4226 §5.2: the counter is an 8-byte big-endian value. */
    store_be(blocks->inner, counter, 8);
    copy_ctx(state->hash, scratch, &state->inner);
    transform(state->hash, scratch, blocks->inner);
    digest_of(state->hash, scratch, blocks->outer);
    copy_ctx(state->hash, scratch, &state->outer);
    transform(state->hash, scratch, blocks->outer);
    digest_of(state->hash, scratch, mac);
    /* RFC 4226 §5.3 dynamic truncation; RFC 6238 §1.2 takes the offset from the last byte of the longer digests. */
    uint32_t offset = mac[state->digest_len - 1] & 0x0f;
    uint32_t binary = ((uint32_t)(mac[offset] & 0x7f) << 24) | ((uint32_t)mac[offset + 1] << 16) |
                      ((uint32_t)mac[offset + 2] << 8) | (uint32_t)mac[offset + 3];
    *value = binary % modulus;
}

int dbt_otp_code(const void *key, uint64_t counter, uint32_t digits, uint32_t *code) {
    const dbt_otp_state *state = (const dbt_otp_state *)key;
    if (state == NULL || code == NULL || digits < 6 || digits > 8 || state->digest_len == 0) return 0;
    dbt_sha_ctx scratch;
    dbt_otp_blocks blocks;
    uint8_t mac[DBT_MAX_DIGEST];
    lay_out_blocks(state, &blocks);
    otp_value(state, counter, dbt_pow10[digits], &scratch, &blocks, mac, code);
    OPENSSL_cleanse(&scratch, sizeof(scratch));
    OPENSSL_cleanse(&blocks, sizeof(blocks));
    OPENSSL_cleanse(mac, sizeof(mac));
    return 1;
}

/* 1 when a == b, 0 otherwise, without a branch on the values. */
static uint64_t equal_u32(uint32_t a, uint32_t b) {
    return ((uint64_t)(a ^ b) - 1) >> 63;
}

int dbt_otp_find(const void *key, uint64_t first, uint64_t count, uint32_t digits,
                 const uint32_t *codes, uint32_t n_codes, uint64_t *index) {
    const dbt_otp_state *state = (const dbt_otp_state *)key;
    if (state == NULL || codes == NULL || index == NULL || state->digest_len == 0 || digits < 6 || digits > 8 ||
        n_codes < 1 || n_codes > DBT_OTP_MAX_SEQUENCE || count == 0) {
        return -1;
    }
    uint64_t extra = (uint64_t)(n_codes - 1);
    if (count - 1 > UINT64_MAX - extra || first > UINT64_MAX - (count - 1 + extra)) return -1;

    dbt_sha_ctx scratch;
    dbt_otp_blocks blocks;
    uint8_t mac[DBT_MAX_DIGEST];
    uint32_t candidates[DBT_OTP_MAX_SEQUENCE] = {0};
    uint64_t found = 0;
    uint64_t at = 0;
    uint64_t total = count + extra;
    lay_out_blocks(state, &blocks);
    for (uint64_t k = 0; k < total; k++) {
        uint32_t value = 0;
        otp_value(state, first + k, dbt_pow10[digits], &scratch, &blocks, mac, &value);
        candidates[k % DBT_OTP_MAX_SEQUENCE] = value;
        if (k < extra) continue; /* depends on the loop position only */
        uint64_t i = k - extra;
        uint64_t match = 1;
        for (uint32_t j = 0; j < n_codes; j++) {
            match &= equal_u32(candidates[(i + j) % DBT_OTP_MAX_SEQUENCE], codes[j]);
        }
        uint64_t take = match & (found ^ 1);
        uint64_t mask = (uint64_t)0 - take;
        at = (at & ~mask) | (i & mask);
        found |= match;
    }
    OPENSSL_cleanse(&scratch, sizeof(scratch));
    OPENSSL_cleanse(&blocks, sizeof(blocks));
    OPENSSL_cleanse(mac, sizeof(mac));
    OPENSSL_cleanse(candidates, sizeof(candidates));
    *index = at;
    return (int)found;
}

#include "dbt_argon2.h"
#include "argon2_core.h"
#include "arena_internal.h"

#include <argon2.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* libargon2's allocation callbacks carry no context, so they find the pool's arena through the thread-local
   binding (arena.c). Without an arena large enough they take heap memory, never more than the binding's limit
   (dbt_argon2 checked the hash's size against it before calling libargon2). */
static int arena_allocate(uint8_t **memory, size_t bytes) {
    uint8_t *lent = dbt_arena_claim(bytes);
    *memory = lent != NULL ? lent : bytes <= dbt_arena_limit() ? malloc(bytes) : NULL;
    return *memory != NULL ? ARGON2_OK : ARGON2_MEMORY_ALLOCATION_ERROR;
}

/* libargon2 has already wiped the memory: its free_memory calls secure_wipe_memory on the whole block array before
   free_cbk whenever FLAG_clear_internal_memory is set. That flag defaults to 1 and Debian's libargon2.so does not
   export it (nm -D shows no such symbol), so no code in this process can turn the wipe off. Arena memory is wiped
   once more by the pool (dbt_arena_wipe), which also covers the paths where libargon2 returns without freeing. */
static void arena_free(uint8_t *memory, size_t bytes) {
    (void)bytes;
    if (dbt_arena_owns(memory)) {
        dbt_arena_unclaim();
    } else {
        free(memory);
    }
}

static int libargon2_hash(dbt_argon2_variant variant, uint32_t version, uint32_t t_cost, uint32_t m_cost_kib,
                          uint32_t parallelism, const uint8_t *password, size_t password_len, const uint8_t *salt,
                          size_t salt_len, const uint8_t *secret, size_t secret_len, const uint8_t *associated_data,
                          size_t associated_data_len, uint8_t *tag, size_t tag_len) {
    /* argon2_context takes uint32_t lengths; reject anything larger instead of truncating. */
    if (password_len > UINT32_MAX || salt_len > UINT32_MAX || secret_len > UINT32_MAX ||
        associated_data_len > UINT32_MAX || tag_len > UINT32_MAX) {
        return ARGON2_MEMORY_TOO_MUCH;
    }
    const int use_arena = dbt_arena_is_bound();
    argon2_context ctx = {
        .out = tag,
        .outlen = (uint32_t)tag_len,
        /* libargon2 reads these buffers only; the casts drop const for its struct, not to write. */
        .pwd = (uint8_t *)password,
        .pwdlen = (uint32_t)password_len,
        .salt = (uint8_t *)salt,
        .saltlen = (uint32_t)salt_len,
        .secret = (uint8_t *)secret,
        .secretlen = (uint32_t)secret_len,
        .ad = (uint8_t *)associated_data,
        .adlen = (uint32_t)associated_data_len,
        .t_cost = t_cost,
        .m_cost = m_cost_kib,
        .lanes = parallelism,
        .threads = parallelism,
        .version = version,
        .allocate_cbk = use_arena ? arena_allocate : NULL,
        .free_cbk = use_arena ? arena_free : NULL,
        /* The caller owns and wipes the password and secret; libargon2 must not clear them under it. */
        .flags = ARGON2_DEFAULT_FLAGS,
    };
    int status = argon2_ctx(&ctx, (argon2_type)variant);
    if (use_arena) dbt_arena_unclaim();
    return status;
}

/* Whether libargon2 would accept these inputs (its validate_inputs). Anything else goes to libargon2, so every path
   refuses the same inputs with the same codes. */
static int acceptable(dbt_argon2_variant variant, uint32_t version, uint32_t t_cost, uint32_t m_cost_kib,
                      uint32_t parallelism, const uint8_t *password, size_t password_len, const uint8_t *salt,
                      size_t salt_len, const uint8_t *secret, size_t secret_len, const uint8_t *associated_data,
                      size_t associated_data_len, const uint8_t *tag, size_t tag_len) {
    if (variant != DBT_ARGON2D && variant != DBT_ARGON2I && variant != DBT_ARGON2ID) return 0;
    if (version != ARGON2_VERSION_10 && version != ARGON2_VERSION_13) return 0;
    if (tag == NULL || tag_len < ARGON2_MIN_OUTLEN || tag_len > UINT32_MAX) return 0;
    if (t_cost < ARGON2_MIN_TIME || parallelism < ARGON2_MIN_LANES || parallelism > ARGON2_MAX_LANES) return 0;
    if (m_cost_kib < ARGON2_MIN_MEMORY || m_cost_kib < 8 * parallelism) return 0;
    if ((password == NULL && password_len > 0) || password_len > UINT32_MAX) return 0;
    if (salt == NULL || salt_len < ARGON2_MIN_SALT_LENGTH || salt_len > UINT32_MAX) return 0;
    if ((secret == NULL && secret_len > 0) || secret_len > UINT32_MAX) return 0;
    if ((associated_data == NULL && associated_data_len > 0) || associated_data_len > UINT32_MAX) return 0;
    return 1;
}

static dbt_argon2_compress_fn compress_for(dbt_argon2_implementation implementation) {
    switch (implementation) {
    case DBT_ARGON2_PORTABLE: return dbt_argon2_compress_portable;
#if defined(__x86_64__)
    case DBT_ARGON2_AVX2: return dbt_argon2_compress_avx2;
    case DBT_ARGON2_AVX512: return dbt_argon2_compress_avx512;
#endif
    default: return NULL;
    }
}

static int own_hash(dbt_argon2_compress_fn g, const dbt_argon2_inputs *in) {
    size_t bytes = dbt_argon2_memory_size(in->m_cost_kib, in->lanes);
    uint8_t *lent = dbt_arena_claim(bytes);
    if (lent != NULL) {
        /* The blocks stay in the arena: the pool wipes them after handing the result back, off the caller's path. */
        int status = dbt_argon2_compute(in, g, (dbt_argon2_block *)lent);
        dbt_arena_unclaim();
        return status;
    }
    dbt_argon2_block *memory = aligned_alloc(64, bytes);
    if (memory == NULL) return ARGON2_MEMORY_ALLOCATION_ERROR;
    int status = dbt_argon2_compute(in, g, memory);
    dbt_cleanse(memory, bytes);
    free(memory);
    return status;
}

int dbt_argon2_implementation_available(dbt_argon2_implementation implementation) {
    switch (implementation) {
    case DBT_ARGON2_AUTOMATIC:
    case DBT_ARGON2_LIBARGON2:
    case DBT_ARGON2_PORTABLE: return 1;
#if defined(__x86_64__)
    case DBT_ARGON2_AVX2: return __builtin_cpu_supports("avx2");
    case DBT_ARGON2_AVX512:
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("avx512f") &&
               __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw");
#endif
    default: return 0;
    }
}

/* RFC 9106 §5.1–5.3: the three test vectors (t = 3, m = 32 KiB, p = 4, version 0x13, 32-byte tags). */
static const uint8_t known_tags[3][32] = {
    {0x51, 0x2b, 0x39, 0x1b, 0x6f, 0x11, 0x62, 0x97, 0x53, 0x71, 0xd3, 0x09, 0x19, 0x73, 0x42, 0x94,
     0xf8, 0x68, 0xe3, 0xbe, 0x39, 0x84, 0xf3, 0xc1, 0xa1, 0x3a, 0x4d, 0xb9, 0xfa, 0xbe, 0x4a, 0xcb},
    {0xc8, 0x14, 0xd9, 0xd1, 0xdc, 0x7f, 0x37, 0xaa, 0x13, 0xf0, 0xd7, 0x7f, 0x24, 0x94, 0xbd, 0xa1,
     0xc8, 0xde, 0x6b, 0x01, 0x6d, 0xd3, 0x88, 0xd2, 0x99, 0x52, 0xa4, 0xc4, 0x67, 0x2b, 0x6c, 0xe8},
    {0x0d, 0x64, 0x0d, 0xf5, 0x8d, 0x78, 0x76, 0x6c, 0x08, 0xc0, 0x37, 0xa3, 0x4a, 0x8b, 0x53, 0xc9,
     0xd0, 0x1e, 0xf0, 0x45, 0x2d, 0x75, 0xb6, 0x5e, 0xb5, 0x25, 0x20, 0xe9, 0x6b, 0x01, 0xe6, 0x59},
};

static int passes_known_answers(dbt_argon2_compress_fn g) {
    uint8_t password[32], salt[16], secret[8], ad[12], tag[32];
    memset(password, 0x01, sizeof password);
    memset(salt, 0x02, sizeof salt);
    memset(secret, 0x03, sizeof secret);
    memset(ad, 0x04, sizeof ad);
    /* Known inputs: the blocks hold nothing secret and are left as they are. */
    static dbt_argon2_block memory[32];
    for (int variant = 0; variant < 3; variant++) {
        dbt_argon2_inputs in = {
            .variant = (dbt_argon2_variant)variant, .version = ARGON2_VERSION_13, .t_cost = 3, .m_cost_kib = 32,
            .lanes = 4, .password = password, .password_len = sizeof password, .salt = salt,
            .salt_len = sizeof salt, .secret = secret, .secret_len = sizeof secret, .ad = ad,
            .ad_len = sizeof ad, .tag = tag, .tag_len = sizeof tag,
        };
        if (dbt_argon2_compute(&in, g, memory) != ARGON2_OK || memcmp(tag, known_tags[variant], 32) != 0) return 0;
    }
    return 1;
}

static dbt_argon2_implementation automatic = DBT_ARGON2_LIBARGON2;
static pthread_once_t automatic_once = PTHREAD_ONCE_INIT;

/* The implementation named by DEADBOLT_ARGON2_FILL (avx512, avx2, portable or libargon2), or AUTOMATIC when the
   variable is unset or names none of them. */
static dbt_argon2_implementation fill_from_environment(void) {
    static const struct {
        const char *name;
        dbt_argon2_implementation implementation;
    } names[] = {
        {"avx512", DBT_ARGON2_AVX512},
        {"avx2", DBT_ARGON2_AVX2},
        {"portable", DBT_ARGON2_PORTABLE},
        {"libargon2", DBT_ARGON2_LIBARGON2},
    };
    const char *wanted = getenv(DBT_ARGON2_FILL_VARIABLE);
    if (wanted == NULL) return DBT_ARGON2_AUTOMATIC;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcmp(wanted, names[i].name) == 0) return names[i].implementation;
    }
    return DBT_ARGON2_AUTOMATIC;
}

/* The fastest path first; a path that fails the check (a miscompilation, a CPU erratum) is never used. A path named
   in the environment goes first, under the same conditions. */
static void choose_automatic(void) {
    dbt_argon2_implementation forced = fill_from_environment();
    if (forced == DBT_ARGON2_LIBARGON2) {
        automatic = DBT_ARGON2_LIBARGON2;
        return;
    }
    if (forced != DBT_ARGON2_AUTOMATIC && dbt_argon2_implementation_available(forced) &&
        passes_known_answers(compress_for(forced))) {
        automatic = forced;
        return;
    }
    static const dbt_argon2_implementation candidates[] = {DBT_ARGON2_AVX512, DBT_ARGON2_AVX2, DBT_ARGON2_PORTABLE};
    for (size_t i = 0; i < sizeof candidates / sizeof candidates[0]; i++) {
        if (dbt_argon2_implementation_available(candidates[i]) && passes_known_answers(compress_for(candidates[i]))) {
            automatic = candidates[i];
            return;
        }
    }
    automatic = DBT_ARGON2_LIBARGON2;
}

dbt_argon2_implementation dbt_argon2_automatic_implementation(void) {
    pthread_once(&automatic_once, choose_automatic);
    return automatic;
}

int dbt_argon2(dbt_argon2_implementation implementation, dbt_argon2_variant variant, uint32_t version,
               uint32_t t_cost, uint32_t m_cost_kib, uint32_t parallelism,
               const uint8_t *password, size_t password_len,
               const uint8_t *salt, size_t salt_len,
               const uint8_t *secret, size_t secret_len,
               const uint8_t *associated_data, size_t associated_data_len,
               uint8_t *tag, size_t tag_len) {
    if (implementation == DBT_ARGON2_AUTOMATIC) implementation = dbt_argon2_automatic_implementation();
    if (!dbt_argon2_implementation_available(implementation)) return DBT_ARGON2_UNAVAILABLE;
    /* Every path, libargon2's included, holds m' = 4p * floor(m / 4p) blocks (RFC 9106 §3.2) once m >= 8p; inputs
       outside that are refused before any memory is taken. */
    if (parallelism >= 1 && m_cost_kib >= 8 * (uint64_t)parallelism &&
        dbt_argon2_memory_size(m_cost_kib, parallelism) > dbt_arena_limit()) {
        return DBT_ARGON2_OVER_ADMITTED;
    }
    dbt_argon2_compress_fn g = compress_for(implementation);
    if (g == NULL || !acceptable(variant, version, t_cost, m_cost_kib, parallelism, password, password_len, salt,
                                 salt_len, secret, secret_len, associated_data, associated_data_len, tag, tag_len)) {
        return libargon2_hash(variant, version, t_cost, m_cost_kib, parallelism, password, password_len, salt,
                              salt_len, secret, secret_len, associated_data, associated_data_len, tag, tag_len);
    }
    dbt_argon2_inputs in = {
        .variant = variant, .version = version, .t_cost = t_cost, .m_cost_kib = m_cost_kib, .lanes = parallelism,
        .password = password, .password_len = password_len, .salt = salt, .salt_len = salt_len,
        .secret = secret, .secret_len = secret_len, .ad = associated_data, .ad_len = associated_data_len,
        .tag = tag, .tag_len = tag_len,
    };
    return own_hash(g, &in);
}

const char *dbt_argon2_error_message(int code) {
    if (code == DBT_ARGON2_UNAVAILABLE) return "this CPU lacks the instructions of the requested Argon2 implementation";
    if (code == DBT_ARGON2_OVER_ADMITTED) {
        return "the hash needs more memory than the hashing pool admitted it for (declare its memory to the pool)";
    }
    const char *message = argon2_error_message(code);
    return message != NULL ? message : "unknown Argon2 error";
}

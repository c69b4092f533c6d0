#ifndef DBT_ARGON2_H
#define DBT_ARGON2_H

#include "dbt_common.h"

/* Argon2 variants and versions, numbered as libargon2 numbers them (argon2_type, argon2_version). */
typedef enum { DBT_ARGON2D = 0, DBT_ARGON2I = 1, DBT_ARGON2ID = 2 } dbt_argon2_variant;

/* Who computes the tag. All give the same answers; AUTOMATIC is the one to use, the others exist so tests can run
   each path. The values are part of the Swift ABI: keep them stable. */
typedef enum {
    /* The fastest of Deadbolt's own implementations that this CPU supports and that reproduced RFC 9106 §5's test
       vectors when first used (or the one DEADBOLT_ARGON2_FILL names); libargon2 if none did. */
    DBT_ARGON2_AUTOMATIC = 0,
    /* libargon2 (Debian's portable reference build): the reference and the fallback. */
    DBT_ARGON2_LIBARGON2 = 1,
    /* Deadbolt's implementation in portable C. */
    DBT_ARGON2_PORTABLE = 2,
    /* Deadbolt's implementation with AVX2 (x86_64). */
    DBT_ARGON2_AVX2 = 3,
    /* Deadbolt's implementation with AVX-512 (F, VL, BW) on 512-bit vectors (x86_64). */
    DBT_ARGON2_AVX512 = 4,
} dbt_argon2_implementation;

/* Returned when a forced implementation needs a CPU feature this machine lacks. */
#define DBT_ARGON2_UNAVAILABLE (-1000)

/* Returned when a hash on a hashing-pool thread needs more memory than the pool admitted it for (dbt_arena_bind's
   limit): the pool's memory budget bounds what the process holds, so the hash is refused rather than allocated. */
#define DBT_ARGON2_OVER_ADMITTED (-1001)

/* Computes a raw Argon2 tag (RFC 9106), including the optional secret K and associated data X that libargon2's
   convenience functions leave out. Inputs libargon2 would refuse go to libargon2 whatever the implementation, so
   the error codes are its own. Uses the arena bound to this thread (dbt_arena_bind) when it is large enough, and
   leaves its blocks there for the arena's holder to wipe; heap memory is wiped before it is freed.
   Returns libargon2's error code (0 is ARGON2_OK), DBT_ARGON2_UNAVAILABLE or DBT_ARGON2_OVER_ADMITTED. */
int dbt_argon2(dbt_argon2_implementation implementation, dbt_argon2_variant variant, uint32_t version,
               uint32_t t_cost, uint32_t m_cost_kib, uint32_t parallelism,
               const uint8_t *password, size_t password_len,
               const uint8_t *salt, size_t salt_len,
               const uint8_t *secret, size_t secret_len,
               const uint8_t *associated_data, size_t associated_data_len,
               uint8_t *tag, size_t tag_len);

/* Whether this CPU can run an implementation (AUTOMATIC and the portable ones always can). */
int dbt_argon2_implementation_available(dbt_argon2_implementation implementation);

/* The environment variable that overrides AUTOMATIC's choice: avx512, avx2, portable or libargon2. Read once, at the
   first call of dbt_argon2_automatic_implementation. The named path must still be one this CPU runs and must pass the
   known-answer check, else the variable is ignored; an unknown name is ignored too. For measuring a fill this CPU
   would not choose (deadbolt-bench's AVX2 rows on an AVX-512 machine), or for avoiding one on a CPU where it is
   slower; every path gives the same tags. */
#define DBT_ARGON2_FILL_VARIABLE "DEADBOLT_ARGON2_FILL"

/* What AUTOMATIC stands for in this process: the fastest path this CPU runs that reproduces RFC 9106 §5's vectors,
   unless DEADBOLT_ARGON2_FILL names another. The first call runs the known-answer check; later calls return its
   result. */
dbt_argon2_implementation dbt_argon2_automatic_implementation(void);

/* libargon2's text for an error code (or Deadbolt's, for DBT_ARGON2_UNAVAILABLE); static storage, never NULL. */
const char *dbt_argon2_error_message(int code);

#endif

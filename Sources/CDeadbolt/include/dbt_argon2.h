#ifndef DBT_ARGON2_H
#define DBT_ARGON2_H

#include "dbt_common.h"

/* Argon2 variants and versions, numbered as libargon2 numbers them (argon2_type, argon2_version). */
typedef enum { DBT_ARGON2D = 0, DBT_ARGON2I = 1, DBT_ARGON2ID = 2 } dbt_argon2_variant;

/* Computes a raw Argon2 tag (RFC 9106) with libargon2's argon2_ctx, including the optional secret K and associated
   data X that libargon2's convenience functions leave out. Returns libargon2's error code (0 is ARGON2_OK). */
int dbt_argon2(dbt_argon2_variant variant, uint32_t version,
               uint32_t t_cost, uint32_t m_cost_kib, uint32_t parallelism,
               const uint8_t *password, size_t password_len,
               const uint8_t *salt, size_t salt_len,
               const uint8_t *secret, size_t secret_len,
               const uint8_t *associated_data, size_t associated_data_len,
               uint8_t *tag, size_t tag_len);

/* libargon2's text for an error code; static storage, never NULL. */
const char *dbt_argon2_error_message(int code);

#endif

#include "dbt_argon2.h"

#include <argon2.h>

int dbt_argon2(dbt_argon2_variant variant, uint32_t version,
               uint32_t t_cost, uint32_t m_cost_kib, uint32_t parallelism,
               const uint8_t *password, size_t password_len,
               const uint8_t *salt, size_t salt_len,
               const uint8_t *secret, size_t secret_len,
               const uint8_t *associated_data, size_t associated_data_len,
               uint8_t *tag, size_t tag_len) {
    /* argon2_context takes uint32_t lengths; reject anything larger instead of truncating. */
    if (password_len > UINT32_MAX || salt_len > UINT32_MAX || secret_len > UINT32_MAX ||
        associated_data_len > UINT32_MAX || tag_len > UINT32_MAX) {
        return ARGON2_MEMORY_TOO_MUCH;
    }
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
        .allocate_cbk = NULL,
        .free_cbk = NULL,
        /* The caller owns and wipes the password and secret; libargon2 must not clear them under it. */
        .flags = ARGON2_DEFAULT_FLAGS,
    };
    return argon2_ctx(&ctx, (argon2_type)variant);
}

const char *dbt_argon2_error_message(int code) {
    const char *message = argon2_error_message(code);
    return message != NULL ? message : "unknown Argon2 error";
}

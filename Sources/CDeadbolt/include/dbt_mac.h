#ifndef DBT_MAC_H
#define DBT_MAC_H

#include "dbt_common.h"

/* HMAC (RFC 2104) of msg under key. tag must have room for dbt_hash_size(hash) bytes.
   Returns 1 on success, 0 on failure. */
int dbt_hmac(dbt_hash hash,
             const uint8_t *key, size_t key_len,
             const uint8_t *msg, size_t msg_len,
             uint8_t *tag);

/* PBKDF2 lives in dbt_pbkdf2.h. */
#include "dbt_pbkdf2.h"

#endif

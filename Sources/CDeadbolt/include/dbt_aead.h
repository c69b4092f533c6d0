#ifndef DBT_AEAD_H
#define DBT_AEAD_H

#include "dbt_common.h"

/* AES-256-GCM (NIST SP 800-38D) through libcrypto's EVP interface, with a 96-bit nonce and a 128-bit tag. */
#define DBT_AEAD_KEY_SIZE 32
#define DBT_AEAD_NONCE_SIZE 12
#define DBT_AEAD_TAG_SIZE 16

/* Encrypts plaintext into ciphertext (same length) and writes the tag. Returns 1 on success, 0 on failure. */
int dbt_aes256gcm_seal(const uint8_t *key, const uint8_t *nonce,
                       const uint8_t *aad, size_t aad_len,
                       const uint8_t *plaintext, size_t len,
                       uint8_t *ciphertext, uint8_t *tag);

/* Decrypts ciphertext into plaintext (same length) if the tag authenticates it and aad. Returns 1 when it does,
   0 otherwise; on 0 the plaintext buffer has been wiped. */
int dbt_aes256gcm_open(const uint8_t *key, const uint8_t *nonce,
                       const uint8_t *aad, size_t aad_len,
                       const uint8_t *ciphertext, size_t len,
                       const uint8_t *tag, uint8_t *plaintext);

#endif

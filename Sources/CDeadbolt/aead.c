#include "dbt_aead.h"

#include <limits.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

int dbt_aes256gcm_seal(const uint8_t *key, const uint8_t *nonce,
                       const uint8_t *aad, size_t aad_len,
                       const uint8_t *plaintext, size_t len,
                       uint8_t *ciphertext, uint8_t *tag) {
    if (key == NULL || nonce == NULL || tag == NULL || aad_len > INT_MAX || len > INT_MAX ||
        (aad_len > 0 && aad == NULL) || (len > 0 && (plaintext == NULL || ciphertext == NULL))) {
        return 0;
    }
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL) return 0;
    int out_len = 0;
    int ok = EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL) == 1 &&
             EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, DBT_AEAD_NONCE_SIZE, NULL) == 1 &&
             EVP_EncryptInit_ex(ctx, NULL, NULL, key, nonce) == 1 &&
             (aad_len == 0 || EVP_EncryptUpdate(ctx, NULL, &out_len, aad, (int)aad_len) == 1) &&
             (len == 0 || EVP_EncryptUpdate(ctx, ciphertext, &out_len, plaintext, (int)len) == 1) &&
             EVP_EncryptFinal_ex(ctx, ciphertext + (len > 0 ? out_len : 0), &out_len) == 1 &&
             EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, DBT_AEAD_TAG_SIZE, tag) == 1;
    EVP_CIPHER_CTX_free(ctx); /* frees and cleanses the expanded key schedule */
    return ok;
}

int dbt_aes256gcm_open(const uint8_t *key, const uint8_t *nonce,
                       const uint8_t *aad, size_t aad_len,
                       const uint8_t *ciphertext, size_t len,
                       const uint8_t *tag, uint8_t *plaintext) {
    if (key == NULL || nonce == NULL || tag == NULL || aad_len > INT_MAX || len > INT_MAX ||
        (aad_len > 0 && aad == NULL) || (len > 0 && (plaintext == NULL || ciphertext == NULL))) {
        return 0;
    }
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL) return 0;
    int out_len = 0;
    uint8_t tag_copy[DBT_AEAD_TAG_SIZE];
    for (int i = 0; i < DBT_AEAD_TAG_SIZE; i++) tag_copy[i] = tag[i];
    int ok = EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL) == 1 &&
             EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, DBT_AEAD_NONCE_SIZE, NULL) == 1 &&
             EVP_DecryptInit_ex(ctx, NULL, NULL, key, nonce) == 1 &&
             (aad_len == 0 || EVP_DecryptUpdate(ctx, NULL, &out_len, aad, (int)aad_len) == 1) &&
             (len == 0 || EVP_DecryptUpdate(ctx, plaintext, &out_len, ciphertext, (int)len) == 1) &&
             EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, DBT_AEAD_TAG_SIZE, tag_copy) == 1 &&
             /* GCM checks the tag in Final, in constant time (CRYPTO_memcmp). */
             EVP_DecryptFinal_ex(ctx, plaintext + (len > 0 ? out_len : 0), &out_len) == 1;
    EVP_CIPHER_CTX_free(ctx);
    if (!ok && len > 0 && plaintext != NULL) {
        OPENSSL_cleanse(plaintext, len);
    }
    return ok;
}

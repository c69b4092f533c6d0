/* sodium_pwhash: hash or verify a password with libsodium's crypto_pwhash_str family.
 * Deadbolt's own helper for interop_hashes_test.json.
 * Build: cc -O2 -o sodium_pwhash sodium_pwhash.c $(pkg-config --cflags --libs libsodium)
 * Usage:
 *   sodium_pwhash version                    prints sodium_version_string()
 *   sodium_pwhash argon2id PASSWORDHEX       crypto_pwhash_str, OPSLIMIT/MEMLIMIT_INTERACTIVE
 *   sodium_pwhash argon2i PASSWORDHEX        crypto_pwhash_str_alg(ARGON2I13), argon2i OPSLIMIT/MEMLIMIT_INTERACTIVE
 *   sodium_pwhash verify STRING PASSWORDHEX  crypto_pwhash_str_verify; prints "ok" (exit 0) or "mismatch" (exit 1) */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t unhex(const char *h, char **out) {
    size_t n = strlen(h) / 2;
    *out = malloc(n + 1);
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        if (sscanf(h + 2 * i, "%2x", &v) != 1) exit(2);
        (*out)[i] = (char)v;
    }
    (*out)[n] = 0;
    return n;
}

int main(int argc, char **argv) {
    if (sodium_init() < 0) return 3;
    if (argc == 2 && strcmp(argv[1], "version") == 0) {
        printf("%s\n", sodium_version_string());
        return 0;
    }
    char out[crypto_pwhash_STRBYTES];
    char *pw;
    if (argc == 3 && strcmp(argv[1], "argon2id") == 0) {
        size_t n = unhex(argv[2], &pw);
        if (crypto_pwhash_str(out, pw, n, crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) return 4;
        printf("%s\n", out);
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "argon2i") == 0) {
        size_t n = unhex(argv[2], &pw);
        if (crypto_pwhash_str_alg(out, pw, n, crypto_pwhash_argon2i_OPSLIMIT_INTERACTIVE,
                                  crypto_pwhash_argon2i_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2I13) != 0) return 4;
        printf("%s\n", out);
        return 0;
    }
    if (argc == 4 && strcmp(argv[1], "verify") == 0) {
        size_t n = unhex(argv[3], &pw);
        if (crypto_pwhash_str_verify(argv[2], pw, n) == 0) { printf("ok\n"); return 0; }
        printf("mismatch\n");
        return 1;
    }
    fprintf(stderr, "usage: see source\n");
    return 2;
}

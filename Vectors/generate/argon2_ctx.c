/* argon2_ctx: compute one Argon2 tag with the system libargon2 (argon2_ctx), including secret and
 * associated data, which the argon2 CLI cannot pass. Deadbolt's own helper for cross-checking.
 * Build: cc -O2 -o argon2_ctx argon2_ctx.c $(pkg-config --cflags --libs libargon2)
 * Usage: argon2_ctx d|i|id version(16|19) t m p taglen pwhex salthex secrethex adhex   -> prints tag hex */
#include <argon2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t unhex(const char *h, uint8_t **out) {
    size_t n = strlen(h) / 2;
    *out = malloc(n ? n : 1);
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        if (sscanf(h + 2 * i, "%2x", &v) != 1) exit(2);
        (*out)[i] = (uint8_t)v;
    }
    return n;
}

int main(int argc, char **argv) {
    if (argc != 11) { fprintf(stderr, "usage: see source\n"); return 2; }
    argon2_type type = strcmp(argv[1], "d") == 0 ? Argon2_d : strcmp(argv[1], "i") == 0 ? Argon2_i : Argon2_id;
    uint8_t *pw, *salt, *secret, *ad;
    size_t pwlen = unhex(argv[7], &pw), saltlen = unhex(argv[8], &salt);
    size_t secretlen = unhex(argv[9], &secret), adlen = unhex(argv[10], &ad);
    size_t taglen = (size_t)atoi(argv[6]);
    uint8_t *tag = malloc(taglen);
    argon2_context ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.out = tag; ctx.outlen = (uint32_t)taglen;
    ctx.pwd = pw; ctx.pwdlen = (uint32_t)pwlen;
    ctx.salt = salt; ctx.saltlen = (uint32_t)saltlen;
    ctx.secret = secretlen ? secret : NULL; ctx.secretlen = (uint32_t)secretlen;
    ctx.ad = adlen ? ad : NULL; ctx.adlen = (uint32_t)adlen;
    ctx.t_cost = (uint32_t)atoi(argv[3]); ctx.m_cost = (uint32_t)atoi(argv[4]);
    ctx.lanes = ctx.threads = (uint32_t)atoi(argv[5]);
    ctx.version = atoi(argv[2]) == 16 ? ARGON2_VERSION_10 : ARGON2_VERSION_13;
    ctx.flags = ARGON2_DEFAULT_FLAGS;
    int rc = argon2_ctx(&ctx, type);
    if (rc != ARGON2_OK) { fprintf(stderr, "%s\n", argon2_error_message(rc)); return 1; }
    for (size_t i = 0; i < taglen; i++) printf("%02x", tag[i]);
    printf("\n");
    return 0;
}

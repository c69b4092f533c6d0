/* A test helper: encodes standard input (at most 4096 bytes) with dbt_qrcode_encode and prints the symbol's width
   and its modules, one row a line ('1' dark, '0' light), so tests can run the encoder in a process of its own (with
   the freed-memory probe preloaded) and compare symbols. Exit status 0 encoded, 1 refused. */

#include <stdio.h>
#include <unistd.h>

#include "dbt_qrcode.h"

int main(void) {
    static uint8_t text[4096];
    static uint8_t modules[DBT_QRCODE_MAX_WIDTH * DBT_QRCODE_MAX_WIDTH];
    size_t length = 0;
    ssize_t got;
    while (length < sizeof text && (got = read(STDIN_FILENO, text + length, sizeof text - length)) > 0) {
        length += (size_t)got;
    }
    int width = dbt_qrcode_encode(text, length, modules, sizeof modules);
    if (width <= 0) return 1;
    printf("%d\n", width);
    for (int y = 0; y < width; y++) {
        for (int x = 0; x < width; x++) putchar(modules[y * width + x] ? '1' : '0');
        putchar('\n');
    }
    return 0;
}

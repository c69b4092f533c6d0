#include "dbt_qrcode.h"

#include <qrencode.h>
#include <string.h>

static void wipe(volatile uint8_t *p, size_t len) {
    /* volatile stores keep the compiler from dropping a wipe of memory that is freed next. */
    for (size_t i = 0; i < len; i++) p[i] = 0;
}

int dbt_qrcode_encode(const uint8_t *text, size_t len, uint8_t *modules, size_t capacity) {
    if (text == NULL || modules == NULL || len == 0 || len > 2953 /* version 40-L byte capacity */) return 0;
    QRcode *code = QRcode_encodeData((int)len, text, 0, QR_ECLEVEL_M);
    if (code == NULL) return 0;
    int width = code->width;
    size_t cells = (size_t)width * (size_t)width;
    int result = 0;
    if (width > 0 && width <= DBT_QRCODE_MAX_WIDTH && cells <= capacity) {
        /* libqrencode: bit 0 of each byte is the module's colour; the other bits describe its role. */
        for (size_t i = 0; i < cells; i++) modules[i] = code->data[i] & 1;
        result = width;
    }
    if (width > 0) wipe(code->data, cells);
    QRcode_free(code);
    return result;
}

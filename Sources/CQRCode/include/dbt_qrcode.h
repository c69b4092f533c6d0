#ifndef DBT_QRCODE_H
#define DBT_QRCODE_H

#include <stddef.h>
#include <stdint.h>

/* The largest QR code (version 40) is 177 modules a side. */
#define DBT_QRCODE_MAX_WIDTH 177

/* Encodes text (len bytes, 8-bit mode, error correction level M) with libqrencode and writes the module matrix,
   one byte a module (1 dark, 0 light), row by row, into modules (capacity bytes). The text may be a secret (an
   otpauth URI): libqrencode's own copy is wiped before it is freed.
   Returns the width (side length in modules), or 0 when the text does not fit a QR code or capacity is short. */
int dbt_qrcode_encode(const uint8_t *text, size_t len, uint8_t *modules, size_t capacity);

#endif

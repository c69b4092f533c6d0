#ifndef DBT_QRCODE_H
#define DBT_QRCODE_H

#include <stddef.h>
#include <stdint.h>

/* The largest QR code (version 40) is 177 modules a side. */
#define DBT_QRCODE_MAX_WIDTH 177

/* The longest text a QR code holds in byte mode at error correction level M (version 40). */
#define DBT_QRCODE_MAX_TEXT 2331

/* Encodes text (len bytes, byte mode, error correction level M, the smallest version that holds it, the mask with
   the lowest penalty) and writes the module matrix, one byte a module (1 dark, 0 light), row by row, into modules
   (capacity bytes). The text may be a secret (an otpauth URI): the encoder is Deadbolt's own (qrcode.c), it keeps
   nothing on the heap, and it wipes every buffer of its own before returning; the caller wipes text and modules.
   Returns the width (side length in modules), or 0 when the text is empty, does not fit a QR code, or capacity is
   short. */
int dbt_qrcode_encode(const uint8_t *text, size_t len, uint8_t *modules, size_t capacity);

/* The same with the mask chosen by the caller (0 to 7; -1 chooses as dbt_qrcode_encode does), so tests can compare
   symbols with another encoder's whatever mask it chose. */
int dbt_qrcode_encode_mask(const uint8_t *text, size_t len, int mask, uint8_t *modules, size_t capacity);

#endif

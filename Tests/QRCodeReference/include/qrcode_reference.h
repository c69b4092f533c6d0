#ifndef QRCODE_REFERENCE_H
#define QRCODE_REFERENCE_H

#include <stddef.h>
#include <stdint.h>

/* A test helper, never linked into Deadbolt: libqrencode's symbol for text (byte mode, error correction level M),
   one byte a module (1 dark) row by row, so Deadbolt's own encoder can be compared with an independent one.
   Returns the width, or 0 when libqrencode refuses or capacity is short. */
int reference_qrcode_encode(const uint8_t *text, size_t len, uint8_t *modules, size_t capacity);

#endif

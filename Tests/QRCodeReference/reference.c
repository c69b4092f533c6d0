#include "qrcode_reference.h"

#include <qrencode.h>

int reference_qrcode_encode(const uint8_t *text, size_t len, uint8_t *modules, size_t capacity) {
    QRcode *code = QRcode_encodeData((int)len, text, 0, QR_ECLEVEL_M);
    if (code == NULL) return 0;
    int width = code->width;
    size_t cells = (size_t)width * (size_t)width;
    if (cells > capacity) width = 0;
    for (size_t i = 0; width > 0 && i < cells; i++) modules[i] = code->data[i] & 1;
    QRcode_free(code);
    return width;
}

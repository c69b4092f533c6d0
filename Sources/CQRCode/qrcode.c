/* A QR code encoder (ISO/IEC 18004:2015) for one job: an otpauth URI, which holds a TOTP secret, in byte mode at
   error correction level M. Written here rather than taken from libqrencode because libqrencode copies its input
   into buffers of its own (the input list, bit streams, codewords, eight masked candidate symbols) and frees them
   unwiped, out of reach of the caller: every buffer here is the caller's output or on this function's stack, and
   every stack buffer is wiped before returning. Section numbers below are the standard's. */

#include "dbt_qrcode.h"

#include <string.h>

#define MAX_VERSION 40
#define MAX_CODEWORDS 3706    /* version 40: (177 * 177 - function patterns) / 8 */
#define MAX_BLOCK_ECC 30      /* the most error correction codewords any block has */
#define MAX_BLOCK_DATA 153    /* the most data codewords any block has, at any level */
#define FUNCTION 0x80         /* marks a module of a function pattern while the symbol is built */

/* Table 9, error correction level M: per version, error correction codewords per block, the number of blocks in
   the first group and their data codewords; the second group's blocks hold one data codeword more. */
static const struct {
    unsigned char ecc_per_block, group1_blocks, group1_data, group2_blocks;
} level_m[MAX_VERSION + 1] = {
    {0, 0, 0, 0},
    {10, 1, 16, 0},  {16, 1, 28, 0},  {26, 1, 44, 0},  {18, 2, 32, 0},  {24, 2, 43, 0},
    {16, 4, 27, 0},  {18, 4, 31, 0},  {22, 2, 38, 2},  {22, 3, 36, 2},  {26, 4, 43, 1},
    {30, 1, 50, 4},  {22, 6, 36, 2},  {22, 8, 37, 1},  {24, 4, 40, 5},  {24, 5, 41, 5},
    {28, 7, 45, 3},  {28, 10, 46, 1}, {26, 9, 43, 4},  {26, 3, 44, 11}, {26, 3, 41, 13},
    {26, 17, 42, 0}, {28, 17, 46, 0}, {28, 4, 47, 14}, {28, 6, 45, 14}, {28, 8, 47, 13},
    {28, 19, 46, 4}, {28, 22, 45, 3}, {28, 3, 45, 23}, {28, 21, 45, 7}, {28, 19, 47, 10},
    {28, 2, 46, 29}, {28, 10, 46, 23}, {28, 14, 46, 21}, {28, 14, 46, 23}, {28, 12, 47, 26},
    {28, 6, 47, 34}, {28, 29, 46, 14}, {28, 13, 46, 32}, {28, 40, 47, 7},  {28, 18, 47, 31},
};

/* Annex E, Table E.1: the row/column coordinates of alignment pattern centres, 0-terminated. */
static const unsigned char alignment[MAX_VERSION + 1][8] = {
    {0}, {0}, {6, 18}, {6, 22}, {6, 26}, {6, 30}, {6, 34},
    {6, 22, 38}, {6, 24, 42}, {6, 26, 46}, {6, 28, 50}, {6, 30, 54}, {6, 32, 58}, {6, 34, 62},
    {6, 26, 46, 66}, {6, 26, 48, 70}, {6, 26, 50, 74}, {6, 30, 54, 78}, {6, 30, 56, 82}, {6, 30, 58, 86},
    {6, 34, 62, 90},
    {6, 28, 50, 72, 94}, {6, 26, 50, 74, 98}, {6, 30, 54, 78, 102}, {6, 28, 54, 80, 106}, {6, 32, 58, 84, 110},
    {6, 30, 58, 86, 114}, {6, 34, 62, 90, 118},
    {6, 26, 50, 74, 98, 122}, {6, 30, 54, 78, 102, 126}, {6, 26, 52, 78, 104, 130}, {6, 30, 56, 82, 108, 134},
    {6, 34, 60, 86, 112, 138}, {6, 30, 58, 86, 114, 142}, {6, 34, 62, 90, 118, 146},
    {6, 30, 54, 78, 102, 126, 150}, {6, 24, 50, 76, 102, 128, 154}, {6, 28, 54, 80, 106, 132, 158},
    {6, 32, 58, 84, 110, 136, 162}, {6, 26, 54, 82, 110, 138, 166}, {6, 30, 58, 86, 114, 142, 170},
};

static void wipe(volatile uint8_t *p, size_t len) {
    /* volatile stores keep the compiler from dropping a wipe of memory that is never read again. */
    for (size_t i = 0; i < len; i++) p[i] = 0;
}

static int blocks_of(int version) { return level_m[version].group1_blocks + level_m[version].group2_blocks; }

static int data_codewords(int version) {
    return level_m[version].group1_blocks * level_m[version].group1_data +
           level_m[version].group2_blocks * (level_m[version].group1_data + 1);
}

static int total_codewords(int version) { return data_codewords(version) + blocks_of(version) * level_m[version].ecc_per_block; }

/* 8.4.4: the bits the character count indicator takes in byte mode. */
static int count_bits(int version) { return version <= 9 ? 8 : 16; }

/* GF(256) with the field's polynomial x^8 + x^4 + x^3 + x^2 + 1 (7.5.2). */
static uint8_t gf_multiply(uint8_t a, uint8_t b) {
    unsigned product = 0;
    for (int bit = 7; bit >= 0; bit--) {
        product = (product << 1) ^ ((product >> 7) * 0x11D);
        product ^= ((b >> bit) & 1) * a;
    }
    return (uint8_t)product;
}

/* 7.5.2: the error correction codewords of one block, the remainder of data(x) * x^n divided by the generator
   polynomial (x - a^0)(x - a^1)...(x - a^(n-1)). */
static void error_correction(const uint8_t *data, int data_length, int ecc_length, uint8_t *ecc) {
    uint8_t generator[MAX_BLOCK_ECC];
    memset(generator, 0, sizeof generator);
    generator[ecc_length - 1] = 1; /* coefficients, highest degree first, of the monic polynomial without x^n */
    uint8_t root = 1;
    for (int i = 0; i < ecc_length; i++) {
        for (int j = 0; j < ecc_length; j++) {
            generator[j] = gf_multiply(generator[j], root);
            if (j + 1 < ecc_length) generator[j] ^= generator[j + 1];
        }
        root = gf_multiply(root, 2);
    }
    memset(ecc, 0, (size_t)ecc_length);
    for (int i = 0; i < data_length; i++) {
        uint8_t factor = data[i] ^ ecc[0];
        memmove(ecc, ecc + 1, (size_t)ecc_length - 1);
        ecc[ecc_length - 1] = 0;
        for (int j = 0; j < ecc_length; j++) ecc[j] ^= gf_multiply(generator[j], factor);
    }
}

/* Appends the `width` low bits of `value`, most significant first, at bit position *bit. */
static void put_bits(uint8_t *codewords, size_t *bit, unsigned value, int width) {
    for (int shift = width - 1; shift >= 0; shift--, (*bit)++) {
        codewords[*bit >> 3] |= (uint8_t)(((value >> shift) & 1) << (7 - (*bit & 7)));
    }
}

/* 7.4: mode indicator 0100 (byte), character count, the bytes, a terminator of up to four 0 bits, 0 bits to a
   byte boundary, then the pad codewords 11101100 and 00010001 in turn. */
static void data_stream(const uint8_t *text, size_t len, int version, uint8_t *codewords) {
    size_t capacity = (size_t)data_codewords(version), bit = 0;
    memset(codewords, 0, capacity);
    put_bits(codewords, &bit, 4, 4);
    put_bits(codewords, &bit, (unsigned)len, count_bits(version));
    for (size_t i = 0; i < len; i++) put_bits(codewords, &bit, text[i], 8);
    size_t terminated = bit + 4 <= capacity * 8 ? bit + 4 : capacity * 8;
    for (size_t index = (terminated + 7) / 8, pad = 0; index < capacity; index++, pad++) {
        codewords[index] = pad % 2 == 0 ? 0xEC : 0x11;
    }
}

/* 7.6: the final sequence, data codewords taken one from each block in turn, then error correction codewords
   likewise. */
static void interleave(const uint8_t *data, int version, uint8_t *sequence) {
    int blocks = blocks_of(version), short_blocks = level_m[version].group1_blocks;
    int short_length = level_m[version].group1_data, ecc_length = level_m[version].ecc_per_block;
    int data_total = data_codewords(version);
    uint8_t ecc[MAX_BLOCK_ECC];
    int offset = 0;
    for (int block = 0; block < blocks; block++) {
        int length = short_length + (block < short_blocks ? 0 : 1);
        for (int i = 0; i < length; i++) {
            /* Column i of the data: after i full rows of every block, the rows the longer blocks alone have. */
            int position = i < short_length ? i * blocks + block : short_length * blocks + (block - short_blocks);
            sequence[position] = data[offset + i];
        }
        error_correction(data + offset, length, ecc_length, ecc);
        for (int i = 0; i < ecc_length; i++) sequence[data_total + i * blocks + block] = ecc[i];
        offset += length;
    }
    wipe(ecc, sizeof ecc);
}

static void set_function(uint8_t *m, int width, int x, int y, int dark) {
    m[y * width + x] = (uint8_t)(FUNCTION | (dark ? 1 : 0));
}

/* 6.3.3 and 6.3.4: a finder pattern with its separator, centred at (cx, cy). */
static void finder(uint8_t *m, int width, int cx, int cy) {
    for (int dy = -4; dy <= 4; dy++) {
        for (int dx = -4; dx <= 4; dx++) {
            int x = cx + dx, y = cy + dy;
            if (x < 0 || y < 0 || x >= width || y >= width) continue;
            int ring = dx < 0 ? -dx : dx;
            if ((dy < 0 ? -dy : dy) > ring) ring = dy < 0 ? -dy : dy;
            set_function(m, width, x, y, ring != 2 && ring != 4);
        }
    }
}

/* 7.9: 15 format bits (level M is 00, then the mask), BCH(15,5) with generator 10100110111, XOR 101010000010010. */
static unsigned format_bits(int mask) {
    unsigned data = (0u << 3) | (unsigned)mask, remainder = data;
    for (int i = 0; i < 10; i++) remainder = (remainder << 1) ^ ((remainder >> 9) * 0x537);
    return ((data << 10) | remainder) ^ 0x5412;
}

/* 7.9.1, Figure 25: both copies of the format information. */
static void place_format(uint8_t *m, int width, int mask) {
    unsigned bits = format_bits(mask);
    for (int i = 0; i <= 5; i++) set_function(m, width, 8, i, (bits >> i) & 1);
    set_function(m, width, 8, 7, (bits >> 6) & 1);
    set_function(m, width, 8, 8, (bits >> 7) & 1);
    set_function(m, width, 7, 8, (bits >> 8) & 1);
    for (int i = 9; i < 15; i++) set_function(m, width, 14 - i, 8, (bits >> i) & 1);
    for (int i = 0; i < 8; i++) set_function(m, width, width - 1 - i, 8, (bits >> i) & 1);
    for (int i = 8; i < 15; i++) set_function(m, width, 8, width - 15 + i, (bits >> i) & 1);
    set_function(m, width, 8, width - 8, 1); /* the dark module, 7.9.1 */
}

/* 7.10: versions 7 and up carry 18 version bits, BCH(18,6) with generator 1111100100101, in two 6x3 blocks. */
static void place_version(uint8_t *m, int width, int version) {
    if (version < 7) return;
    unsigned remainder = (unsigned)version;
    for (int i = 0; i < 12; i++) remainder = (remainder << 1) ^ ((remainder >> 11) * 0x1F25);
    unsigned bits = ((unsigned)version << 12) | remainder;
    for (int i = 0; i < 18; i++) {
        int a = width - 11 + i % 3, b = i / 3, dark = (bits >> i) & 1;
        set_function(m, width, a, b, dark);
        set_function(m, width, b, a, dark);
    }
}

/* 6.3: every function pattern, and the format and version areas reserved (format bits are placed per mask). */
static void function_patterns(uint8_t *m, int width, int version) {
    memset(m, 0, (size_t)width * (size_t)width);
    for (int i = 0; i < width; i++) {
        set_function(m, width, 6, i, i % 2 == 0);
        set_function(m, width, i, 6, i % 2 == 0);
    }
    finder(m, width, 3, 3);
    finder(m, width, width - 4, 3);
    finder(m, width, 3, width - 4);
    const unsigned char *centres = alignment[version];
    int count = 0;
    while (count < 8 && centres[count] != 0) count++;
    for (int i = 0; i < count; i++) {
        for (int j = 0; j < count; j++) {
            /* The three positions the finder patterns occupy have no alignment pattern. */
            if ((i == 0 && j == 0) || (i == 0 && j == count - 1) || (i == count - 1 && j == 0)) continue;
            for (int dy = -2; dy <= 2; dy++) {
                for (int dx = -2; dx <= 2; dx++) {
                    int ring = (dx < 0 ? -dx : dx) > (dy < 0 ? -dy : dy) ? (dx < 0 ? -dx : dx) : (dy < 0 ? -dy : dy);
                    set_function(m, width, centres[j] + dx, centres[i] + dy, ring != 1);
                }
            }
        }
    }
    place_format(m, width, 0);
    place_version(m, width, version);
}

/* 7.7.3: codeword bits, most significant first, up and down two-module columns from the bottom right, skipping
   the vertical timing pattern; modules left over (the remainder bits) stay light. */
static void place_codewords(uint8_t *m, int width, const uint8_t *sequence, int count) {
    size_t bit = 0, bits = (size_t)count * 8;
    for (int right = width - 1; right >= 1; right -= 2) {
        if (right == 6) right = 5;
        for (int step = 0; step < width; step++) {
            int upward = ((right + 1) & 2) == 0;
            int y = upward ? width - 1 - step : step;
            for (int column = 0; column < 2; column++) {
                int x = right - column;
                if (m[y * width + x] & FUNCTION) continue;
                if (bit < bits) m[y * width + x] = (sequence[bit >> 3] >> (7 - (bit & 7))) & 1;
                bit++;
            }
        }
    }
}

/* 7.8.2, Table 10: whether the mask inverts the module in row i, column j. */
static int masked(int mask, int i, int j) {
    switch (mask) {
    case 0: return (i + j) % 2 == 0;
    case 1: return i % 2 == 0;
    case 2: return j % 3 == 0;
    case 3: return (i + j) % 3 == 0;
    case 4: return (i / 2 + j / 3) % 2 == 0;
    case 5: return (i * j) % 2 + (i * j) % 3 == 0;
    case 6: return ((i * j) % 2 + (i * j) % 3) % 2 == 0;
    default: return ((i + j) % 2 + (i * j) % 3) % 2 == 0;
    }
}

static void apply_mask(uint8_t *m, int width, int mask) {
    for (int i = 0; i < width; i++) {
        for (int j = 0; j < width; j++) {
            if (!(m[i * width + j] & FUNCTION) && masked(mask, i, j)) m[i * width + j] ^= 1;
        }
    }
}

/* 7.8.3.1, Table 11: the penalty of a masked symbol. N1 = 3, N2 = 3, N3 = 40, N4 = 10. */
static long penalty(const uint8_t *m, int width) {
    long score = 0, dark = 0;
    for (int line = 0; line < width; line++) {
        for (int direction = 0; direction < 2; direction++) {
            int run = 0, previous = -1;
            unsigned window = 0; /* the last 11 modules of this row or column, 1 dark; light before the start */
            for (int k = 0; k < width; k++) {
                int module = (direction == 0 ? m[line * width + k] : m[k * width + line]) & 1;
                if (module == previous) {
                    run++;
                } else {
                    if (run >= 5) score += 3 + (run - 5);
                    run = 1;
                    previous = module;
                }
                /* Light modules beyond the symbol stand for the quiet zone, so a finder-like pattern at an edge
                   still has its four light modules. */
                window = ((window << 1) | (unsigned)module) & 0x7FF;
                if (window == 0x5D0 || window == 0x05D) score += 40; /* 10111010000, 00001011101 */
            }
            if (run >= 5) score += 3 + (run - 5);
            for (int k = 0; k < 4; k++) {
                window = (window << 1) & 0x7FF;
                if (window == 0x5D0) score += 40;
            }
        }
    }
    for (int y = 0; y + 1 < width; y++) {
        for (int x = 0; x + 1 < width; x++) {
            int a = m[y * width + x] & 1;
            if (a == (m[y * width + x + 1] & 1) && a == (m[(y + 1) * width + x] & 1) &&
                a == (m[(y + 1) * width + x + 1] & 1)) {
                score += 3;
            }
        }
    }
    for (int i = 0; i < width * width; i++) dark += m[i] & 1;
    long total = (long)width * width, deviation = dark * 20 - total * 10; /* 20 * (dark / total - 1 / 2), times total */
    if (deviation < 0) deviation = -deviation;
    score += 10 * (deviation / total); /* whole steps of 5% away from 50% dark */
    return score;
}

int dbt_qrcode_encode_mask(const uint8_t *text, size_t len, int mask, uint8_t *modules, size_t capacity) {
    if (text == NULL || modules == NULL || len == 0 || mask < -1 || mask > 7) return 0;
    int version = 1;
    while (version <= MAX_VERSION &&
           4 + count_bits(version) + 8 * len > (size_t)data_codewords(version) * 8) {
        version++;
    }
    if (version > MAX_VERSION) return 0;
    int width = 17 + 4 * version;
    if ((size_t)width * (size_t)width > capacity) return 0;

    uint8_t data[MAX_CODEWORDS], sequence[MAX_CODEWORDS];
    data_stream(text, len, version, data);
    interleave(data, version, sequence);
    function_patterns(modules, width, version);
    place_codewords(modules, width, sequence, total_codewords(version));
    wipe(data, sizeof data);
    wipe(sequence, sizeof sequence);

    if (mask < 0) {
        long best = -1;
        for (int candidate = 0; candidate < 8; candidate++) {
            apply_mask(modules, width, candidate);
            place_format(modules, width, candidate);
            long score = penalty(modules, width);
            if (best < 0 || score < best) {
                best = score;
                mask = candidate;
            }
            apply_mask(modules, width, candidate); /* masking twice restores the symbol */
        }
    }
    apply_mask(modules, width, mask);
    place_format(modules, width, mask);
    for (int i = 0; i < width * width; i++) modules[i] &= 1;
    return width;
}

int dbt_qrcode_encode(const uint8_t *text, size_t len, uint8_t *modules, size_t capacity) {
    return dbt_qrcode_encode_mask(text, len, -1, modules, capacity);
}

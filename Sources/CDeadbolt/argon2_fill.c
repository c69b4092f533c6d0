/* Argon2 (RFC 9106) written from the RFC: H0, the first blocks, indexing, passes and slices, the final tag; and the
   portable compression function. The vector compression functions live in argon2_fill_avx2.c. */
#include "argon2_core.h"
#include "dbt_blake2b.h"

#include <argon2.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

/* The most threads one hash uses for its lanes. */
#define DBT_ARGON2_MAX_THREADS 16

static inline uint64_t load64_le(const uint8_t *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

static inline void store64_le(uint8_t *p, uint64_t v) {
    for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static inline void store32_le(uint8_t *p, uint32_t v) {
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static inline uint64_t rotr64(uint64_t x, unsigned n) { return (x >> n) | (x << (64 - n)); }

/* RFC 9106 §3.6: BLAKE2b's G with each addition a + b replaced by a + b + 2 * lo(a) * lo(b) (BlaMka). */
static inline uint64_t blamka(uint64_t a, uint64_t b) {
    return a + b + 2 * (uint64_t)(uint32_t)a * (uint32_t)b;
}

#define GB(a, b, c, d)               \
    do {                             \
        a = blamka(a, b);            \
        d = rotr64(d ^ a, 32);       \
        c = blamka(c, d);            \
        b = rotr64(b ^ c, 24);       \
        a = blamka(a, b);            \
        d = rotr64(d ^ a, 16);       \
        c = blamka(c, d);            \
        b = rotr64(b ^ c, 63);       \
    } while (0)

/* RFC 9106 §3.6: P on sixteen words v0..v15, columns then diagonals as in BLAKE2b's round. */
#define PERMUTE(v0, v1, v2, v3, v4, v5, v6, v7, v8, v9, v10, v11, v12, v13, v14, v15) \
    do {                                                                            \
        GB(v0, v4, v8, v12);                                                        \
        GB(v1, v5, v9, v13);                                                        \
        GB(v2, v6, v10, v14);                                                       \
        GB(v3, v7, v11, v15);                                                       \
        GB(v0, v5, v10, v15);                                                       \
        GB(v1, v6, v11, v12);                                                       \
        GB(v2, v7, v8, v13);                                                        \
        GB(v3, v4, v9, v14);                                                        \
    } while (0)

void dbt_argon2_compress_portable(dbt_argon2_block *out, const dbt_argon2_block *x, const dbt_argon2_block *y,
                                  int xor_into, const dbt_argon2_next_reference *next) {
    (void)next; /* the portable path stays plain */
    uint64_t r[DBT_ARGON2_QWORDS], q[DBT_ARGON2_QWORDS];
    for (int i = 0; i < DBT_ARGON2_QWORDS; i++) q[i] = r[i] = x->v[i] ^ y->v[i];
    /* RFC 9106 §3.5: the 1 KiB block is an 8x8 matrix of 16-byte registers; P runs on each row (words 16i..16i+15),
       then on each column (register j of every row: words 2j + 16k and 2j + 16k + 1). */
    for (int i = 0; i < 8; i++) {
        uint64_t *w = q + 16 * i;
        PERMUTE(w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7], w[8], w[9], w[10], w[11], w[12], w[13], w[14], w[15]);
    }
    for (int j = 0; j < 8; j++) {
        uint64_t *w = q + 2 * j;
        PERMUTE(w[0], w[1], w[16], w[17], w[32], w[33], w[48], w[49], w[64], w[65], w[80], w[81], w[96], w[97],
                w[112], w[113]);
    }
    if (xor_into) {
        for (int i = 0; i < DBT_ARGON2_QWORDS; i++) out->v[i] ^= q[i] ^ r[i];
    } else {
        for (int i = 0; i < DBT_ARGON2_QWORDS; i++) out->v[i] = q[i] ^ r[i];
    }
}

size_t dbt_argon2_memory_size(uint32_t m_cost_kib, uint32_t lanes) {
    size_t blocks = (size_t)4 * lanes * (m_cost_kib / (4 * (size_t)lanes));
    return blocks * DBT_ARGON2_BLOCK_SIZE;
}

typedef struct {
    const dbt_argon2_inputs *in;
    dbt_argon2_compress_fn g;
    dbt_argon2_block *memory;
    uint32_t lane_length;    /* q = m' / p */
    uint32_t segment_length; /* q / 4 */
    uint32_t block_count;    /* m' */
} instance;

typedef struct {
    const instance *inst;
    uint32_t pass, slice, lane;
} position;

/* RFC 9106 §3.4.1.2: the next address block, G(ZERO, G(ZERO, Z)) with Z's counter advanced first. */
static void next_addresses(const instance *inst, dbt_argon2_block *address, dbt_argon2_block *input,
                           const dbt_argon2_block *zero) {
    dbt_argon2_block tmp;
    input->v[6]++;
    inst->g(&tmp, zero, input, 0, NULL);
    inst->g(address, zero, &tmp, 0, NULL);
}

/* RFC 9106 §3.4.1.1 and §3.4.2: the reference block for block i of a segment, from its pseudo-random word. */
static uint64_t reference_index(const instance *inst, position pos, uint32_t i, uint64_t pseudo) {
    const uint32_t q = inst->lane_length, sl = inst->segment_length;
    const uint64_t j1 = pseudo & 0xffffffffu, j2 = pseudo >> 32;
    /* §3.4.1.1: the first slice of the first pass references only its own lane. */
    const uint32_t ref_lane = (pos.pass == 0 && pos.slice == 0) ? pos.lane : (uint32_t)(j2 % inst->in->lanes);
    /* The reference set W. In this lane: every block made so far but the previous one; in another lane: the
       finished segments, less their last block when this is a segment's first block. */
    const uint64_t done = pos.pass == 0 ? (uint64_t)pos.slice * sl : (uint64_t)q - sl;
    const uint64_t area = ref_lane == pos.lane ? done + i - 1 : done - (i == 0 ? 1 : 0);
    /* §3.4.2: map J1 non-uniformly onto W, favouring recent blocks. Positions count from the slice after this one
       on later passes, from 0 on the first. */
    const uint64_t x = (j1 * j1) >> 32;
    const uint64_t y = (area * x) >> 32;
    const uint64_t z = area - 1 - y;
    const uint64_t start = (pos.pass == 0 || pos.slice == 3) ? 0 : (uint64_t)(pos.slice + 1) * sl;
    return (uint64_t)ref_lane * q + (start + z) % q;
}

/* The next-reference hint for data-dependent segments: block i's first word decides block i + 1's reference. */
typedef struct {
    dbt_argon2_next_reference base; /* first, so the callback can recover the rest */
    const instance *inst;
    position pos;
    uint32_t i; /* the index within the segment of the block whose reference is sought */
} dependent_hint;

static const dbt_argon2_block *locate_dependent(const dbt_argon2_next_reference *self, uint64_t first_word) {
    const dependent_hint *hint = (const dependent_hint *)self;
    return &hint->inst->memory[reference_index(hint->inst, hint->pos, hint->i, first_word)];
}

/* RFC 9106 §3.4: fills one segment (one lane's part of one slice of one pass). */
static void fill_segment(position pos) {
    const instance *inst = pos.inst;
    const dbt_argon2_inputs *in = inst->in;
    const uint32_t q = inst->lane_length, sl = inst->segment_length;
    /* §3.4.1.2: Argon2i always, Argon2id in the first two slices of the first pass, compute J1 and J2 without
       reading memory. */
    const int independent = in->variant == DBT_ARGON2I ||
                            (in->variant == DBT_ARGON2ID && pos.pass == 0 && pos.slice < 2);
    /* §3.2 steps 3 and 4: blocks 0 and 1 of each lane are made from H0. */
    const uint32_t first = (pos.pass == 0 && pos.slice == 0) ? 2 : 0;
    const int xor_into = in->version == ARGON2_VERSION_13 && pos.pass > 0;

    dbt_argon2_block zero, address, input;
    if (independent) {
        memset(&zero, 0, sizeof zero);
        memset(&input, 0, sizeof input);
        input.v[0] = pos.pass;
        input.v[1] = pos.lane;
        input.v[2] = pos.slice;
        input.v[3] = inst->block_count;
        input.v[4] = in->t_cost;
        input.v[5] = (uint64_t)in->variant;
        if (first != 0) next_addresses(inst, &address, &input, &zero);
    }

    uint64_t current = (uint64_t)pos.lane * q + (uint64_t)pos.slice * sl + first;
    uint64_t previous = (current % q == 0) ? current + q - 1 : current - 1;
    dependent_hint hint = {{locate_dependent}, inst, pos, 0};
    uint64_t ref = 0;
    if (!independent && first < sl) ref = reference_index(inst, pos, first, inst->memory[previous].v[0]);

    for (uint32_t i = first; i < sl; i++) {
        /* The block two ahead is written next but one (and read first when xor_into): fetch it for writing while
           this one is made. With the arena out of the cache (the usual case: other work ran since the last hash),
           each block's lines otherwise come in on demand as they are stored (measured: 2-4% faster at 19 MiB). */
        if (i + 2 < sl) {
            const uint8_t *ahead = (const uint8_t *)&inst->memory[current + 2];
            for (int line = 0; line < DBT_ARGON2_BLOCK_SIZE; line += 64) __builtin_prefetch(ahead + line, 1, 3);
        }
        if (independent) {
            if (i % DBT_ARGON2_QWORDS == 0) next_addresses(inst, &address, &input, &zero);
            ref = reference_index(inst, pos, i, address.v[i % DBT_ARGON2_QWORDS]);
            /* The next reference is known now (unless it needs the next address block): fetch it early. */
            if (i + 1 < sl && (i + 1) % DBT_ARGON2_QWORDS != 0) {
                const uint8_t *next = (const uint8_t *)&inst->memory[reference_index(
                    inst, pos, i + 1, address.v[(i + 1) % DBT_ARGON2_QWORDS])];
                for (int line = 0; line < DBT_ARGON2_BLOCK_SIZE; line += 64) __builtin_prefetch(next + line);
            }
            inst->g(&inst->memory[current], &inst->memory[previous], &inst->memory[ref], xor_into, NULL);
        } else {
            hint.i = i + 1;
            inst->g(&inst->memory[current], &inst->memory[previous], &inst->memory[ref], xor_into,
                    i + 1 < sl ? &hint.base : NULL);
            if (i + 1 < sl) ref = reference_index(inst, pos, i + 1, inst->memory[current].v[0]);
        }
        previous = current;
        current++;
    }
    if (independent) {
        dbt_cleanse(&address, sizeof address);
        dbt_cleanse(&input, sizeof input);
    }
}

/* The compression function's temporaries (R and Q, secret-derived) live in stack frames below the caller's and are
   not wiped block by block; one wipe of the stack region below, at the end of the work, clears them. */
__attribute__((noinline)) static void wipe_stack_below(void) {
    uint8_t area[16384];
    dbt_cleanse(area, sizeof area);
}

/* One thread's share of a slice: lanes first.lane, first.lane + stride, ... */
typedef struct {
    position first;
    uint32_t stride;
} slice_work;

static void *fill_lanes_thread(void *arg) {
    const slice_work *work = arg;
    position pos = work->first;
    for (; pos.lane < pos.inst->in->lanes; pos.lane += work->stride) fill_segment(pos);
    wipe_stack_below();
    return NULL;
}

/* RFC 9106 §3.2 step 1: H0 over the parameters and inputs. */
static void initial_hash(const dbt_argon2_inputs *in, uint8_t h0[64]) {
    dbt_blake2b_state s;
    uint8_t word[4];
    dbt_blake2b_init(&s, 64);
    const uint32_t header[6] = {in->lanes, (uint32_t)in->tag_len, in->m_cost_kib, in->t_cost, in->version,
                                (uint32_t)in->variant};
    for (int i = 0; i < 6; i++) {
        store32_le(word, header[i]);
        dbt_blake2b_update(&s, word, 4);
    }
    const uint8_t *fields[4] = {in->password, in->salt, in->secret, in->ad};
    const size_t lengths[4] = {in->password_len, in->salt_len, in->secret_len, in->ad_len};
    for (int i = 0; i < 4; i++) {
        store32_le(word, (uint32_t)lengths[i]);
        dbt_blake2b_update(&s, word, 4);
        if (lengths[i] > 0) dbt_blake2b_update(&s, fields[i], lengths[i]);
    }
    dbt_blake2b_final(&s, h0);
}

static void block_from_bytes(dbt_argon2_block *b, const uint8_t bytes[DBT_ARGON2_BLOCK_SIZE]) {
    for (int i = 0; i < DBT_ARGON2_QWORDS; i++) b->v[i] = load64_le(bytes + 8 * i);
}

int dbt_argon2_compute(const dbt_argon2_inputs *in, dbt_argon2_compress_fn g, dbt_argon2_block *memory) {
    const uint32_t lanes = in->lanes;
    instance inst = {
        .in = in,
        .g = g,
        .memory = memory,
        .block_count = (uint32_t)(dbt_argon2_memory_size(in->m_cost_kib, lanes) / DBT_ARGON2_BLOCK_SIZE),
    };
    inst.lane_length = inst.block_count / lanes;
    inst.segment_length = inst.lane_length / 4;

    /* RFC 9106 §3.2 steps 3 and 4: B[i][0] = H'^1024(H0 || LE32(0) || LE32(i)), B[i][1] likewise with 1. */
    uint8_t seed[72], bytes[DBT_ARGON2_BLOCK_SIZE];
    initial_hash(in, seed);
    for (uint32_t lane = 0; lane < lanes; lane++) {
        for (uint32_t column = 0; column < 2; column++) {
            store32_le(seed + 64, column);
            store32_le(seed + 68, lane);
            dbt_blake2b_long(bytes, sizeof bytes, seed, sizeof seed);
            block_from_bytes(&memory[(size_t)lane * inst.lane_length + column], bytes);
        }
    }
    dbt_cleanse(seed, sizeof seed);

    /* §3.2 steps 5 and 6: passes of four slices. Within a slice the lanes are independent (§3.4.1.1 never lets a
       block reference another lane's current segment), so with p > 1 up to one thread per core fills lanes
       (thread k takes lanes k, k + n, ...) and the slice ends when all have. A thread that cannot start leaves its
       lanes to the calling thread. */
    uint32_t workers = 1;
    if (lanes > 1) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        workers = cores >= 1 && (uint32_t)cores < lanes ? (uint32_t)cores : lanes;
        if (workers > DBT_ARGON2_MAX_THREADS) workers = DBT_ARGON2_MAX_THREADS;
    }
    for (uint32_t pass = 0; pass < in->t_cost; pass++) {
        for (uint32_t slice = 0; slice < 4; slice++) {
            slice_work work[DBT_ARGON2_MAX_THREADS];
            pthread_t threads[DBT_ARGON2_MAX_THREADS];
            int started[DBT_ARGON2_MAX_THREADS] = {0};
            for (uint32_t k = 0; k < workers; k++) {
                work[k] = (slice_work){{&inst, pass, slice, k}, workers};
            }
            for (uint32_t k = 1; k < workers; k++) {
                started[k] = pthread_create(&threads[k], NULL, fill_lanes_thread, &work[k]) == 0;
            }
            fill_lanes_thread(&work[0]);
            for (uint32_t k = 1; k < workers; k++) {
                if (started[k]) {
                    pthread_join(threads[k], NULL);
                } else {
                    fill_lanes_thread(&work[k]);
                }
            }
        }
    }

    /* §3.2 step 7: C is the XOR of every lane's last block; the tag is H'^T(C). */
    dbt_argon2_block final;
    memcpy(&final, &memory[inst.lane_length - 1], sizeof final);
    for (uint32_t lane = 1; lane < lanes; lane++) {
        const dbt_argon2_block *last = &memory[(size_t)lane * inst.lane_length + inst.lane_length - 1];
        for (int i = 0; i < DBT_ARGON2_QWORDS; i++) final.v[i] ^= last->v[i];
    }
    for (int i = 0; i < DBT_ARGON2_QWORDS; i++) store64_le(bytes + 8 * i, final.v[i]);
    dbt_blake2b_long(in->tag, in->tag_len, bytes, sizeof bytes);
    dbt_cleanse(bytes, sizeof bytes);
    dbt_cleanse(&final, sizeof final);
    wipe_stack_below();
    return ARGON2_OK;
}

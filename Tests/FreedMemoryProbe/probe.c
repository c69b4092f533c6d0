/* A test helper, never linked into Deadbolt: preloaded (LD_PRELOAD) into a process under test, it looks at every
   heap block as it is freed and counts the blocks that still hold one of the byte strings it was given. A secret
   that a process wiped before freeing is never counted; a copy freed unwiped is. Blocks never freed and stack
   memory are outside its reach.

   Input: DEADBOLT_PROBE_PATTERNS names a file of patterns, one lower-case hex string a line (at most 8 patterns of
   at most 2048 bytes each). The patterns come from a file, not the environment, because the process under test
   copies its environment onto the heap. Output: at exit, one line per pattern, "<index> <blocks>", written to the
   file DEADBOLT_PROBE_REPORT.

   realloc is taken over too (allocate, copy, scan the old block, free it), because glibc frees a moved block
   internally, where an interposed free would never see it. Only glibc's exported __libc_* entry points are used,
   so the probe never calls back into itself. */

#define _GNU_SOURCE
#include <fcntl.h>
#include <malloc.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dbt_freed_memory_probe.h"

extern void *__libc_malloc(size_t size);
extern void __libc_free(void *pointer);

#define MAX_PATTERNS 8
#define MAX_PATTERN_LENGTH 2048

static unsigned char patterns[MAX_PATTERNS][MAX_PATTERN_LENGTH];
static size_t pattern_lengths[MAX_PATTERNS];
static size_t pattern_count;
static atomic_long hits[MAX_PATTERNS];
static atomic_int loaded; /* 0 not yet, 1 loading, 2 ready */

static int hex_value(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

static void load_patterns(void) {
    int expected = 0;
    if (!atomic_compare_exchange_strong(&loaded, &expected, 1)) {
        while (atomic_load(&loaded) != 2) {
        }
        return;
    }
    const char *path = getenv(DBT_PROBE_PATTERNS_VARIABLE);
    int fd = path != NULL ? open(path, O_RDONLY | O_CLOEXEC) : -1;
    if (fd >= 0) {
        static char text[MAX_PATTERNS * (2 * MAX_PATTERN_LENGTH + 1)];
        size_t filled = 0;
        ssize_t got;
        while (filled < sizeof text && (got = read(fd, text + filled, sizeof text - filled)) > 0) filled += (size_t)got;
        close(fd);
        size_t length = 0;
        for (size_t i = 0; i + 1 < filled && pattern_count < MAX_PATTERNS; i++) {
            if (text[i] == '\n') {
                if (length > 0) pattern_lengths[pattern_count++] = length;
                length = 0;
                continue;
            }
            int high = hex_value(text[i]), low = hex_value(text[i + 1]);
            if (high < 0 || low < 0 || length == MAX_PATTERN_LENGTH) continue;
            patterns[pattern_count][length++] = (unsigned char)(high << 4 | low);
            i++;
        }
        if (length > 0 && pattern_count < MAX_PATTERNS) pattern_lengths[pattern_count++] = length;
    }
    atomic_store(&loaded, 2);
}

static void scan(const void *block, size_t size) {
    if (atomic_load(&loaded) != 2) load_patterns();
    for (size_t p = 0; p < pattern_count; p++) {
        if (memmem(block, size, patterns[p], pattern_lengths[p]) != NULL) atomic_fetch_add(&hits[p], 1);
    }
}

void free(void *pointer) {
    if (pointer == NULL) return;
    scan(pointer, malloc_usable_size(pointer));
    __libc_free(pointer);
}

void *realloc(void *pointer, size_t size) {
    if (pointer == NULL) return __libc_malloc(size);
    if (size == 0) {
        free(pointer);
        return NULL;
    }
    void *moved = __libc_malloc(size);
    if (moved == NULL) return NULL;
    size_t old = malloc_usable_size(pointer);
    memcpy(moved, pointer, old < size ? old : size);
    free(pointer);
    return moved;
}

__attribute__((destructor)) static void report(void) {
    const char *path = getenv(DBT_PROBE_REPORT_VARIABLE);
    if (path == NULL) return;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return;
    if (atomic_load(&loaded) != 2) load_patterns();
    char line[64];
    for (size_t p = 0; p < pattern_count; p++) {
        int length = snprintf(line, sizeof line, "%zu %ld\n", p, atomic_load(&hits[p]));
        if (length > 0) (void)write(fd, line, (size_t)length);
    }
    close(fd);
}

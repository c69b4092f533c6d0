#include "dbt_arena.h"
#include "arena_internal.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

struct dbt_arena {
    uint8_t *base;
    size_t capacity;
    size_t mapped;  /* bytes mapped at base, a multiple of the page size */
    size_t claimed; /* bytes lent to the running hash; 0 when free */
    size_t written; /* bytes from base that hashes have written since the last wipe */
    uint64_t uses;
};

/* What a pool worker bound for the hash running on this thread. Thread-local because libargon2's allocation
   callbacks take no context argument; libargon2 allocates on the thread that calls argon2_ctx. */
static _Thread_local struct {
    dbt_arena *arena;
    size_t limit;
    int active;
} binding;

/* Huge pages cut TLB misses on Argon2's random reads across megabytes of blocks (measured with the AVX-512 path,
   Argon2id t = 1-2: 5% faster at 19 MiB, 10-20% at 46-64 MiB); a 2 MiB-aligned mapping lets the kernel use them
   where transparent huge pages are enabled for madvise. */
#define DBT_ARENA_ALIGNMENT ((size_t)2 << 20)

dbt_arena *dbt_arena_create(size_t bytes) {
    long page_size = sysconf(_SC_PAGESIZE);
    size_t page = page_size > 0 ? (size_t)page_size : 4096;
    if (bytes == 0 || bytes > SIZE_MAX - DBT_ARENA_ALIGNMENT - page) return NULL;
    size_t capacity = (bytes + page - 1) / page * page;
    dbt_arena *arena = calloc(1, sizeof *arena);
    if (arena == NULL) return NULL;
    /* Over-map by the alignment, then give back the unaligned head and the tail. */
    size_t span = capacity + DBT_ARENA_ALIGNMENT;
    uint8_t *raw = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) {
        free(arena);
        return NULL;
    }
    uintptr_t aligned = ((uintptr_t)raw + DBT_ARENA_ALIGNMENT - 1) & ~(uintptr_t)(DBT_ARENA_ALIGNMENT - 1);
    size_t head = aligned - (uintptr_t)raw, tail = span - head - capacity;
    if (head > 0) munmap(raw, head);
    if (tail > 0) munmap((uint8_t *)aligned + capacity, tail);
    arena->base = (uint8_t *)aligned;
    arena->capacity = capacity;
    arena->mapped = capacity;
#if defined(MADV_HUGEPAGE)
    madvise(arena->base, capacity, MADV_HUGEPAGE);
#endif
    /* Fault every page in now, once, instead of during each hash. */
    for (size_t offset = 0; offset < capacity; offset += page) ((volatile uint8_t *)arena->base)[offset] = 0;
    return arena;
}

void dbt_arena_destroy(dbt_arena *arena) {
    if (arena == NULL) return;
    if (binding.arena == arena) binding.arena = NULL;
    dbt_arena_wipe(arena);
    munmap(arena->base, arena->mapped);
    free(arena);
}

size_t dbt_arena_capacity(const dbt_arena *arena) { return arena != NULL ? arena->capacity : 0; }

const uint8_t *dbt_arena_memory(const dbt_arena *arena) { return arena != NULL ? arena->base : NULL; }

uint64_t dbt_arena_uses(const dbt_arena *arena) { return arena != NULL ? arena->uses : 0; }

void dbt_arena_wipe(dbt_arena *arena) {
    if (arena == NULL) return;
    dbt_cleanse(arena->base, arena->written);
    arena->written = 0;
}

void dbt_arena_bind(dbt_arena *arena, size_t limit) {
    binding.arena = arena;
    binding.limit = limit;
    binding.active = 1;
}

void dbt_arena_unbind(void) {
    binding.arena = NULL;
    binding.limit = 0;
    binding.active = 0;
}

size_t dbt_arena_limit(void) { return binding.active ? binding.limit : SIZE_MAX; }

int dbt_arena_is_bound(void) { return binding.active; }

uint8_t *dbt_arena_claim(size_t bytes) {
    dbt_arena *arena = binding.arena;
    if (arena == NULL || arena->claimed != 0 || bytes == 0 || bytes > arena->capacity) return NULL;
    arena->claimed = bytes;
    if (bytes > arena->written) arena->written = bytes;
    arena->uses++;
    return arena->base;
}

int dbt_arena_owns(const uint8_t *memory) {
    dbt_arena *arena = binding.arena;
    return arena != NULL && arena->claimed != 0 && memory == arena->base;
}

void dbt_arena_unclaim(void) {
    if (binding.arena != NULL) binding.arena->claimed = 0;
}

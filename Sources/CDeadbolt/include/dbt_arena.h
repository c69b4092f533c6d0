#ifndef DBT_ARENA_H
#define DBT_ARENA_H

#include "dbt_common.h"

/* A reusable block of Argon2 memory, mapped and faulted in once so a hash never waits on page faults. Owned by one
   holder (the hashing pool) and lent to one hash at a time. A hash leaves its blocks in the arena; the holder wipes
   them (dbt_arena_wipe) after handing the result back and before lending the arena again. */
typedef struct dbt_arena dbt_arena;

/* Maps at least bytes (rounded up to whole pages), asks for transparent huge pages and touches every page.
   NULL when the system refuses the memory. */
dbt_arena *dbt_arena_create(size_t bytes);

/* Wipes what hashes left in the arena and unmaps it. It must not be bound to any thread or in use by a hash. NULL is
   ignored. */
void dbt_arena_destroy(dbt_arena *arena);

/* The usable bytes of the arena. */
size_t dbt_arena_capacity(const dbt_arena *arena);

/* The arena's memory, for tests that check what a hash left in it; NULL for NULL. */
const uint8_t *dbt_arena_memory(const dbt_arena *arena);

/* How many hashes have used the arena's memory since it was made. */
uint64_t dbt_arena_uses(const dbt_arena *arena);

/* Overwrites with zeros every byte a hash has written since the last wipe (explicit_bzero: vectorized, never elided),
   and no more: a large arena lent to a small hash wipes only the small hash's blocks. Writing zeros into mapped pages
   faults nothing in, so the arena's next hash runs without page faults. */
void dbt_arena_wipe(dbt_arena *arena);

/* Makes arena the memory that dbt_argon2 calls on this thread use (libargon2 and Deadbolt's own implementation), and
   limit the most Argon2 memory one of them may take on this thread: a hash that needs more than limit fails with
   DBT_ARGON2_OVER_ADMITTED instead of allocating it, so memory held never exceeds what the pool admitted. arena may
   be NULL (the system refused to map one): hashes then take heap memory up to limit. */
void dbt_arena_bind(dbt_arena *arena, size_t limit);

/* Ends the binding: dbt_argon2 calls on this thread allocate their own memory again, without a limit. */
void dbt_arena_unbind(void);

#endif

#ifndef DBT_ARENA_H
#define DBT_ARENA_H

#include "dbt_common.h"

/* A reusable block of Argon2 memory, mapped and faulted in once so a hash never waits on page faults. Owned by one
   holder (the hashing pool) and lent to one hash at a time; every hash wipes what it wrote before giving it back. */
typedef struct dbt_arena dbt_arena;

/* Maps at least bytes (rounded up to whole pages), asks for transparent huge pages and touches every page.
   NULL when the system refuses the memory. */
dbt_arena *dbt_arena_create(size_t bytes);

/* Unmaps the arena. It must not be bound to any thread or in use by a hash. NULL is ignored. */
void dbt_arena_destroy(dbt_arena *arena);

/* The usable bytes of the arena. */
size_t dbt_arena_capacity(const dbt_arena *arena);

/* How many hashes have used the arena's memory since it was made. */
uint64_t dbt_arena_uses(const dbt_arena *arena);

/* Makes arena the memory that dbt_argon2 calls on this thread use (both libargon2 and Deadbolt's own
   implementation), when it is large enough; NULL unbinds. Returns the arena bound before. */
dbt_arena *dbt_arena_bind(dbt_arena *arena);

#endif

#ifndef DBT_ARENA_INTERNAL_H
#define DBT_ARENA_INTERNAL_H

/* How argon2.c borrows the memory of the arena bound to the calling thread (dbt_arena_bind). Internal to
   CDeadbolt. */

#include "dbt_common.h"

/* The most Argon2 memory a hash may take on this thread: the binding's limit, or SIZE_MAX when unbound. */
size_t dbt_arena_limit(void);

/* Whether a binding (an arena, or only a limit) is in force on this thread. */
int dbt_arena_is_bound(void);

/* The bound arena's memory for a hash needing bytes, or NULL when none is bound, it is smaller, or it is already
   lent. The bytes count as written by a hash until the holder wipes the arena; the caller calls dbt_arena_unclaim
   when done and need not wipe them. */
uint8_t *dbt_arena_claim(size_t bytes);

/* Whether memory is the bound arena's memory, currently lent. */
int dbt_arena_owns(const uint8_t *memory);

/* Marks the bound arena free again (a no-op when it is not lent). */
void dbt_arena_unclaim(void);

#endif

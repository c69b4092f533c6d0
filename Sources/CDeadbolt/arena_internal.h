#ifndef DBT_ARENA_INTERNAL_H
#define DBT_ARENA_INTERNAL_H

/* How argon2.c borrows the memory of the arena bound to the calling thread (dbt_arena_bind). Internal to
   CDeadbolt. */

#include "dbt_common.h"

/* Whether an arena is bound to this thread. */
int dbt_arena_is_bound(void);

/* The bound arena's memory for a hash needing bytes, or NULL when none is bound, it is smaller, or it is already
   lent. The caller wipes what it wrote and calls dbt_arena_unclaim. */
uint8_t *dbt_arena_claim(size_t bytes);

/* Whether memory is the bound arena's memory, currently lent. */
int dbt_arena_owns(const uint8_t *memory);

/* Marks the bound arena free again; the borrower has wiped it. */
void dbt_arena_unclaim(void);

/* If the bound arena is still lent (a hash failed before giving it back), wipes the lent bytes and frees it. */
void dbt_arena_reclaim_unwiped(void);

#endif

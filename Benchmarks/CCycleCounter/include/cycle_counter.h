#ifndef CYCLE_COUNTER_H
#define CYCLE_COUNTER_H

#include <stdint.h>

/* A timestamp for one measurement of the timing test: the x86 time-stamp counter read between fences (so the code
   measured neither starts before nor ends after it), as dudect reads it; CLOCK_MONOTONIC_RAW nanoseconds on other
   CPUs. Only differences between two readings on one thread mean anything. */
uint64_t dbt_cycle_count(void);

#endif

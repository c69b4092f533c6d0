#include "cycle_counter.h"

#if defined(__x86_64__) || defined(__i386__)
uint64_t dbt_cycle_count(void) {
    uint32_t low, high;
    __asm__ __volatile__("lfence\n\trdtsc\n\tlfence" : "=a"(low), "=d"(high) : : "memory");
    return ((uint64_t)high << 32) | low;
}
#else
#include <time.h>
uint64_t dbt_cycle_count(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC_RAW, &now);
    return (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
}
#endif

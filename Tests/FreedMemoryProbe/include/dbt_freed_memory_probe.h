#ifndef DBT_FREED_MEMORY_PROBE_H
#define DBT_FREED_MEMORY_PROBE_H

/* The probe has no functions to call: it works by being preloaded (see probe.c). Its interface is two environment
   variables, named here so tests and the probe agree on them. */
#define DBT_PROBE_PATTERNS_VARIABLE "DEADBOLT_PROBE_PATTERNS"
#define DBT_PROBE_REPORT_VARIABLE "DEADBOLT_PROBE_REPORT"

#endif

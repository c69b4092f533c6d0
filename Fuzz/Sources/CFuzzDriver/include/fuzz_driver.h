#ifndef FUZZ_DRIVER_H
#define FUZZ_DRIVER_H

#include <stddef.h>
#include <stdint.h>

/* libFuzzer's entry for programs with their own main (LLVM 13 and later, in libclang_rt.fuzzer): runs the fuzzer
   with the command line and calls `callback` once per input. SwiftPM renames a Swift executable's main on Linux,
   so the fuzz targets keep a Swift @main and hand over to libFuzzer here rather than rely on libFuzzer's own main. */
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif

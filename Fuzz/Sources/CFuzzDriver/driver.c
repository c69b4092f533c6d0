/* Declarations only: LLVMFuzzerRunDriver lives in the fuzzer runtime that -sanitize=fuzzer links. */

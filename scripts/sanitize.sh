#!/usr/bin/env bash
# Builds the native Catch2 suite with AddressSanitizer + UndefinedBehaviorSanitizer (g++) and runs it.
# Not part of `npm test` (the build takes ~7 min on 2 cores). Usage: scripts/sanitize.sh [catch2 args]
# e.g. scripts/sanitize.sh "[runtime]". Leak checking is off: the tests hold process-wide kernel tables.
set -euo pipefail
cd "$(dirname "$0")/.."
out=build/sanitize
cmake -S . -B "$out" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer" >/dev/null
cmake --build "$out" --target wasmq_tests -j "${JOBS:-2}"
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0} UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1} "$out/wasmq_tests" "$@"

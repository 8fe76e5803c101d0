// Includes WASM SIMD128 intrinsics: the real ones under Emscripten (-msimd128), SIMDe's portable
// mapping of the same `wasm_*` names in native builds, so one SIMD source is tested on both.
#pragma once

#if defined(WASMQ_HAVE_WASMSIMD)
#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#elif defined(WASMQ_SIMDE)
#define SIMDE_ENABLE_NATIVE_ALIASES
#include <simde/wasm/simd128.h>
#else
#error "WASMQ_HAVE_WASMSIMD needs -msimd128 (Emscripten) or SIMDe (native)"
#endif
#endif

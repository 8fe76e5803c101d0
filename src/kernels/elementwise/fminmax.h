// Scalar float max/min with the exact semantics of WASM pmax/pmin (a < b ? b : a, b < a ? b : a):
// the scalar references use these so that they equal the SIMD kernels bit for bit (signed zeros,
// NaN). Under Emscripten, clang 14 rewrites `x < 0.0f ? 0.0f : x` into f32.max / f32x4.max (which
// returns +0 for max(-0, +0)); hiding the constant behind an empty asm keeps the select.
#pragma once

namespace wasmq {

inline float opaque_float(float v) {
#if defined(__wasm__)
  __asm__("" : "+r"(v));
#endif
  return v;
}

inline float pmax_f32(float a, float b) {
  b = opaque_float(b);
  return a < b ? b : a;
}

inline float pmin_f32(float a, float b) {
  b = opaque_float(b);
  return b < a ? b : a;
}

}  // namespace wasmq

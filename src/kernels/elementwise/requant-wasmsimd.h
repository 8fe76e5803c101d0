// WASM SIMD form of requantize_fp32 (kernels/requant/requant.h) shared by the nn kernels: same float
// operations in the same order (convert, multiply, pmax/pmin clamp, magic-number round), so the
// lanes equal the scalar rule bit for bit. pmax(v, lo) is `v < lo ? lo : v` == std::max(v, lo).
#pragma once

#include <cstdint>

#include "kernels/requant/requant.h"
#include "simd/wasm_simd.h"

#if defined(WASMQ_HAVE_WASMSIMD)

namespace wasmq {

struct RequantSimd {
  v128_t lo, hi, magic, magic_minus_zp;
  RequantSimd(int32_t zero_point, int32_t qmin, int32_t qmax)
      : lo(wasm_f32x4_splat(static_cast<float>(qmin - zero_point))),
        hi(wasm_f32x4_splat(static_cast<float>(qmax - zero_point))),
        magic(wasm_f32x4_splat(12582912.0f)),
        magic_minus_zp(wasm_i32x4_splat(0x4B400000 - zero_point)) {}
  explicit RequantSimd(const RequantParams& p) : RequantSimd(p.zero_point, p.qmin, p.qmax) {}

  // int32 accumulators -> int32 codes (already clamped to [qmin, qmax]).
  v128_t run(v128_t acc, v128_t scale) const {
    v128_t v = wasm_f32x4_mul(wasm_f32x4_convert_i32x4(acc), scale);
    v = wasm_f32x4_pmax(v, lo);
    v = wasm_f32x4_pmin(v, hi);
    v = wasm_f32x4_add(v, magic);
    return wasm_i32x4_sub(v, magic_minus_zp);
  }
};

// Four int32x4 code vectors (in range) -> 16 bytes, int8 or uint8.
template <typename T>
inline v128_t pack_codes(v128_t q0, v128_t q1, v128_t q2, v128_t q3);

template <>
inline v128_t pack_codes<int8_t>(v128_t q0, v128_t q1, v128_t q2, v128_t q3) {
  return wasm_i8x16_narrow_i16x8(wasm_i16x8_narrow_i32x4(q0, q1), wasm_i16x8_narrow_i32x4(q2, q3));
}

template <>
inline v128_t pack_codes<uint8_t>(v128_t q0, v128_t q1, v128_t q2, v128_t q3) {
  return wasm_u8x16_narrow_i16x8(wasm_i16x8_narrow_i32x4(q0, q1), wasm_i16x8_narrow_i32x4(q2, q3));
}

// 16 bytes -> two i16x8 (sign- or zero-extended by type).
template <typename T>
inline void widen_codes(v128_t v, v128_t* lo, v128_t* hi);

template <>
inline void widen_codes<int8_t>(v128_t v, v128_t* lo, v128_t* hi) {
  *lo = wasm_i16x8_extend_low_i8x16(v);
  *hi = wasm_i16x8_extend_high_i8x16(v);
}

template <>
inline void widen_codes<uint8_t>(v128_t v, v128_t* lo, v128_t* hi) {
  *lo = wasm_u16x8_extend_low_u8x16(v);
  *hi = wasm_u16x8_extend_high_u8x16(v);
}

}  // namespace wasmq

#endif  // WASMQ_HAVE_WASMSIMD

// WASM SIMD int8/uint8 add and mul, 8-bit or int16 (qs8_qs16) output, 16 elements per iteration,
// bit-exact to qbinary-scalar.cc: the same int32 accumulators (exact integer arithmetic) fed to the
// SIMD form of requantize_fp32.
#include "kernels/elementwise/elementwise.h"
#include "kernels/elementwise/requant-wasmsimd.h"

#if defined(WASMQ_HAVE_WASMSIMD)

namespace wasmq {
namespace {

// (x - z) for 16 codes as two i16x8 (|x - z| <= 255 fits int16).
template <typename T>
inline void centered(const T* x, v128_t z, v128_t* lo, v128_t* hi) {
  widen_codes<T>(wasm_v128_load(x), lo, hi);
  *lo = wasm_i16x8_sub(*lo, z);
  *hi = wasm_i16x8_sub(*hi, z);
}

// Four int32x4 code vectors (in range) -> 16 outputs: 16 bytes, or two i16x8 for int16 outputs.
template <typename O>
inline void store_codes(O* y, v128_t q0, v128_t q1, v128_t q2, v128_t q3) {
  wasm_v128_store(y, pack_codes<O>(q0, q1, q2, q3));
}

template <>
inline void store_codes<int16_t>(int16_t* y, v128_t q0, v128_t q1, v128_t q2, v128_t q3) {
  wasm_v128_store(y, wasm_i16x8_narrow_i32x4(q0, q1));
  wasm_v128_store(y + 8, wasm_i16x8_narrow_i32x4(q2, q3));
}

// The scalar reference finishes the last n % 16 elements (overloaded on the code types).
#define WASMQ_TAIL(op, P, qs8fn, qu8fn, qs8_qs16fn)                                                  \
  inline void tail_##op(size_t n, const int8_t* a, const int8_t* b, int8_t* y, const P& p) {        \
    qs8fn(n, a, b, y, p);                                                                           \
  }                                                                                                 \
  inline void tail_##op(size_t n, const uint8_t* a, const uint8_t* b, uint8_t* y, const P& p) {     \
    qu8fn(n, a, b, y, p);                                                                           \
  }                                                                                                 \
  inline void tail_##op(size_t n, const int8_t* a, const int8_t* b, int16_t* y, const P& p) {       \
    qs8_qs16fn(n, a, b, y, p);                                                                      \
  }
WASMQ_TAIL(vadd, QAddParams, qs8_vadd_minmax__scalar, qu8_vadd_minmax__scalar, qs8_qs16_vadd_minmax__scalar)
WASMQ_TAIL(vaddc, QAddParams, qs8_vaddc_minmax__scalar, qu8_vaddc_minmax__scalar, qs8_qs16_vaddc_minmax__scalar)
WASMQ_TAIL(vmul, QMulParams, qs8_vmul_minmax_fp32__scalar, qu8_vmul_minmax_fp32__scalar,
           qs8_qs16_vmul_minmax_fp32__scalar)
WASMQ_TAIL(vmulc, QMulParams, qs8_vmulc_minmax_fp32__scalar, qu8_vmulc_minmax_fp32__scalar,
           qs8_qs16_vmulc_minmax_fp32__scalar)
#undef WASMQ_TAIL

template <typename T, typename O>
void vadd(size_t n, const T* a, const T* b, O* y, const QAddParams& p) {
  const v128_t za = wasm_i16x8_splat(static_cast<int16_t>(p.a_zero_point));
  const v128_t zb = wasm_i16x8_splat(static_cast<int16_t>(p.b_zero_point));
  // (ma, mb) pairs: dot_i16x8 of interleaved (a - za, b - zb) lanes gives the accumulator directly.
  const v128_t mab = wasm_i32x4_splat(static_cast<int32_t>((static_cast<uint32_t>(p.b_multiplier) << 16) |
                                                           static_cast<uint32_t>(p.a_multiplier & 0xFFFF)));
  const v128_t scale = wasm_f32x4_splat(p.requant.scale);
  const RequantSimd rq(p.requant);
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    v128_t alo, ahi, blo, bhi;
    centered(a + i, za, &alo, &ahi);
    centered(b + i, zb, &blo, &bhi);
    const v128_t acc0 = wasm_i32x4_dot_i16x8(wasm_i16x8_shuffle(alo, blo, 0, 8, 1, 9, 2, 10, 3, 11), mab);
    const v128_t acc1 = wasm_i32x4_dot_i16x8(wasm_i16x8_shuffle(alo, blo, 4, 12, 5, 13, 6, 14, 7, 15), mab);
    const v128_t acc2 = wasm_i32x4_dot_i16x8(wasm_i16x8_shuffle(ahi, bhi, 0, 8, 1, 9, 2, 10, 3, 11), mab);
    const v128_t acc3 = wasm_i32x4_dot_i16x8(wasm_i16x8_shuffle(ahi, bhi, 4, 12, 5, 13, 6, 14, 7, 15), mab);
    store_codes(y + i, rq.run(acc0, scale), rq.run(acc1, scale), rq.run(acc2, scale), rq.run(acc3, scale));
  }
  if (i < n) tail_vadd(n - i, a + i, b + i, y + i, p);
}

template <typename T, typename O>
void vaddc(size_t n, const T* a, const T* b, O* y, const QAddParams& p) {
  const v128_t za = wasm_i16x8_splat(static_cast<int16_t>(p.a_zero_point));
  const v128_t ma = wasm_i16x8_splat(static_cast<int16_t>(p.a_multiplier));
  const v128_t bterm = wasm_i32x4_splat((static_cast<int32_t>(b[0]) - p.b_zero_point) * p.b_multiplier);
  const v128_t scale = wasm_f32x4_splat(p.requant.scale);
  const RequantSimd rq(p.requant);
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    v128_t alo, ahi;
    centered(a + i, za, &alo, &ahi);
    const v128_t acc0 = wasm_i32x4_add(wasm_i32x4_extmul_low_i16x8(alo, ma), bterm);
    const v128_t acc1 = wasm_i32x4_add(wasm_i32x4_extmul_high_i16x8(alo, ma), bterm);
    const v128_t acc2 = wasm_i32x4_add(wasm_i32x4_extmul_low_i16x8(ahi, ma), bterm);
    const v128_t acc3 = wasm_i32x4_add(wasm_i32x4_extmul_high_i16x8(ahi, ma), bterm);
    store_codes(y + i, rq.run(acc0, scale), rq.run(acc1, scale), rq.run(acc2, scale), rq.run(acc3, scale));
  }
  if (i < n) tail_vaddc(n - i, a + i, b, y + i, p);
}

template <typename T, typename O>
void vmul(size_t n, const T* a, const T* b, O* y, const QMulParams& p) {
  const v128_t za = wasm_i16x8_splat(static_cast<int16_t>(p.a_zero_point));
  const v128_t zb = wasm_i16x8_splat(static_cast<int16_t>(p.b_zero_point));
  const v128_t scale = wasm_f32x4_splat(p.requant.scale);
  const RequantSimd rq(p.requant);
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    v128_t alo, ahi, blo, bhi;
    centered(a + i, za, &alo, &ahi);
    centered(b + i, zb, &blo, &bhi);
    const v128_t acc0 = wasm_i32x4_extmul_low_i16x8(alo, blo);  // |acc| <= 255 * 255
    const v128_t acc1 = wasm_i32x4_extmul_high_i16x8(alo, blo);
    const v128_t acc2 = wasm_i32x4_extmul_low_i16x8(ahi, bhi);
    const v128_t acc3 = wasm_i32x4_extmul_high_i16x8(ahi, bhi);
    store_codes(y + i, rq.run(acc0, scale), rq.run(acc1, scale), rq.run(acc2, scale), rq.run(acc3, scale));
  }
  if (i < n) tail_vmul(n - i, a + i, b + i, y + i, p);
}

template <typename T, typename O>
void vmulc(size_t n, const T* a, const T* b, O* y, const QMulParams& p) {
  const v128_t za = wasm_i16x8_splat(static_cast<int16_t>(p.a_zero_point));
  const v128_t bv = wasm_i16x8_splat(static_cast<int16_t>(static_cast<int32_t>(b[0]) - p.b_zero_point));
  const v128_t scale = wasm_f32x4_splat(p.requant.scale);
  const RequantSimd rq(p.requant);
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    v128_t alo, ahi;
    centered(a + i, za, &alo, &ahi);
    const v128_t acc0 = wasm_i32x4_extmul_low_i16x8(alo, bv);
    const v128_t acc1 = wasm_i32x4_extmul_high_i16x8(alo, bv);
    const v128_t acc2 = wasm_i32x4_extmul_low_i16x8(ahi, bv);
    const v128_t acc3 = wasm_i32x4_extmul_high_i16x8(ahi, bv);
    store_codes(y + i, rq.run(acc0, scale), rq.run(acc1, scale), rq.run(acc2, scale), rq.run(acc3, scale));
  }
  if (i < n) tail_vmulc(n - i, a + i, b, y + i, p);
}

}  // namespace

void qs8_vadd_minmax__wasmsimd_x16(size_t n, const int8_t* a, const int8_t* b, int8_t* y, const QAddParams& p) { vadd(n, a, b, y, p); }
void qs8_vaddc_minmax__wasmsimd_x16(size_t n, const int8_t* a, const int8_t* b, int8_t* y, const QAddParams& p) { vaddc(n, a, b, y, p); }
void qu8_vadd_minmax__wasmsimd_x16(size_t n, const uint8_t* a, const uint8_t* b, uint8_t* y, const QAddParams& p) { vadd(n, a, b, y, p); }
void qu8_vaddc_minmax__wasmsimd_x16(size_t n, const uint8_t* a, const uint8_t* b, uint8_t* y, const QAddParams& p) { vaddc(n, a, b, y, p); }
void qs8_vmul_minmax_fp32__wasmsimd_x16(size_t n, const int8_t* a, const int8_t* b, int8_t* y, const QMulParams& p) { vmul(n, a, b, y, p); }
void qs8_vmulc_minmax_fp32__wasmsimd_x16(size_t n, const int8_t* a, const int8_t* b, int8_t* y, const QMulParams& p) { vmulc(n, a, b, y, p); }
void qu8_vmul_minmax_fp32__wasmsimd_x16(size_t n, const uint8_t* a, const uint8_t* b, uint8_t* y, const QMulParams& p) { vmul(n, a, b, y, p); }
void qu8_vmulc_minmax_fp32__wasmsimd_x16(size_t n, const uint8_t* a, const uint8_t* b, uint8_t* y, const QMulParams& p) { vmulc(n, a, b, y, p); }
void qs8_qs16_vadd_minmax__wasmsimd_x16(size_t n, const int8_t* a, const int8_t* b, int16_t* y, const QAddParams& p) { vadd(n, a, b, y, p); }
void qs8_qs16_vaddc_minmax__wasmsimd_x16(size_t n, const int8_t* a, const int8_t* b, int16_t* y, const QAddParams& p) { vaddc(n, a, b, y, p); }
void qs8_qs16_vmul_minmax_fp32__wasmsimd_x16(size_t n, const int8_t* a, const int8_t* b, int16_t* y, const QMulParams& p) { vmul(n, a, b, y, p); }
void qs8_qs16_vmulc_minmax_fp32__wasmsimd_x16(size_t n, const int8_t* a, const int8_t* b, int16_t* y, const QMulParams& p) { vmulc(n, a, b, y, p); }

}  // namespace wasmq

#endif  // WASMQ_HAVE_WASMSIMD

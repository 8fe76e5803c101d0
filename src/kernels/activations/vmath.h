// Float transcendentals written ONCE over an "ops" type (scalar float or WASM SIMD f32x4 lanes), so
// the scalar reference and the SIMD kernels execute the same IEEE operations in the same order and
// agree bit for bit. Approximations and measured errors: docs/kernels-nn.md.
//
//   exp:     clamp x to [-104, 89]; n = round(x * log2 e) (magic-number rounding); r = x - n ln2_hi
//            - n ln2_lo (Cody-Waite); p = degree-7 Taylor polynomial of e^r (Horner);
//            y = (p * 2^(n>>1)) * 2^(n - (n>>1)) (two exact scalings: no overflow of the exponent
//            field, gradual underflow to 0, +inf above ~88.72).
//   sigmoid: e = exp(-|x|), q = e / (1 + e); y = x > 0 ? 1 - q : q.
//   tanh:    |x| < 0.4: odd Taylor polynomial to x^15; else (1 - e) / (1 + e) with e = exp(-2|x|);
//            sign restored by OR-ing the sign bit of x.
//   gelu:    erf form: 0.5 x erfc(-x / sqrt 2), erfc(w) = t P(t) exp(-w^2), t = 1 / (1 + p w)
//            (Abramowitz-Stegun 7.1.26), mirrored for negative w;
//            tanh form: 0.5 x (1 + tanh(u)) evaluated as x * sigmoid(2u) (no cancellation).
#pragma once

#include <cstddef>
#include <cstdint>

#include "common/bits.h"
#include "kernels/elementwise/fminmax.h"
#include "simd/wasm_simd.h"

// Marks the loops of scalar references: clang must not auto-vectorize them, so that "scalar" in
// benchmarks means what the scalar wasm build (no -msimd128) runs, and no vectorizer rewrite (e.g.
// select -> f32x4.max) can change a reference's bits.
#if defined(__clang__)
#define WASMQ_SCALAR_LOOP _Pragma("clang loop vectorize(disable) interleave(disable)")
#else
#define WASMQ_SCALAR_LOOP
#endif

namespace wasmq {
namespace vmath {

// ---- the two ops types ----
struct ScalarOps {
  typedef float V;
  typedef bool M;
  typedef int32_t I;
  static V splat(float v) { return v; }
  static V add(V a, V b) { return a + b; }
  static V sub(V a, V b) { return a - b; }
  static V mul(V a, V b) { return a * b; }
  static V div(V a, V b) { return a / b; }
  static V max(V a, V b) { return pmax_f32(a, b); }  // == wasm pmax
  static V min(V a, V b) { return pmin_f32(a, b); }  // == wasm pmin
  static V abs(V a) { return bits_float(float_bits(a) & 0x7FFFFFFFu); }
  static V neg(V a) { return bits_float(float_bits(a) ^ 0x80000000u); }
  static V copysign_or(V mag, V sgn) { return bits_float(float_bits(mag) | (float_bits(sgn) & 0x80000000u)); }
  static M lt(V a, V b) { return a < b; }
  static V select(M m, V a, V b) { return m ? a : b; }
  // float holding an integer -> int32 (wasm trunc_sat semantics: NaN -> 0).
  static I to_int(V a) { return a != a ? 0 : static_cast<int32_t>(a); }
  static I iadd(I a, int32_t b) { return a + b; }
  static I isub(I a, I b) { return a - b; }
  static I sra1(I a) { return a >> 1; }
  static V pow2_biased(I e) { return bits_float(static_cast<uint32_t>(e) << 23); }  // e = n + 127
};

#if defined(WASMQ_HAVE_WASMSIMD)
struct SimdOps {
  typedef v128_t V;
  typedef v128_t M;
  typedef v128_t I;
  static V splat(float v) { return wasm_f32x4_splat(v); }
  static V add(V a, V b) { return wasm_f32x4_add(a, b); }
  static V sub(V a, V b) { return wasm_f32x4_sub(a, b); }
  static V mul(V a, V b) { return wasm_f32x4_mul(a, b); }
  static V div(V a, V b) { return wasm_f32x4_div(a, b); }
  static V max(V a, V b) { return wasm_f32x4_pmax(a, b); }
  static V min(V a, V b) { return wasm_f32x4_pmin(a, b); }
  static V abs(V a) { return wasm_v128_and(a, wasm_i32x4_splat(0x7FFFFFFF)); }
  static V neg(V a) { return wasm_v128_xor(a, wasm_i32x4_splat(static_cast<int32_t>(0x80000000u))); }
  static V copysign_or(V mag, V sgn) {
    return wasm_v128_or(mag, wasm_v128_and(sgn, wasm_i32x4_splat(static_cast<int32_t>(0x80000000u))));
  }
  static M lt(V a, V b) { return wasm_f32x4_lt(a, b); }
  static V select(M m, V a, V b) { return wasm_v128_bitselect(a, b, m); }
  static I to_int(V a) { return wasm_i32x4_trunc_sat_f32x4(a); }
  static I iadd(I a, int32_t b) { return wasm_i32x4_add(a, wasm_i32x4_splat(b)); }
  static I isub(I a, I b) { return wasm_i32x4_sub(a, b); }
  static I sra1(I a) { return wasm_i32x4_shr(a, 1); }
  static V pow2_biased(I e) { return wasm_i32x4_shl(e, 23); }
};
#endif

// ---- constants (float, shared) ----
constexpr float kExpLo = -104.0f;
constexpr float kExpHi = 89.0f;
constexpr float kLog2e = 1.44269504088896341f;
constexpr float kMagic = 12582912.0f;          // 1.5 * 2^23: x + kMagic - kMagic rounds to nearest even
constexpr float kLn2Hi = 0.693145751953125f;   // 0x3F317200: n * kLn2Hi is exact for |n| <= 2^9
constexpr float kLn2Lo = 1.42860682030941723212e-6f;

// ---- functions ----
template <class O>
typename O::V exp(typename O::V x) {
  typedef typename O::V V;
  x = O::min(O::max(x, O::splat(kExpLo)), O::splat(kExpHi));
  const V n = O::sub(O::add(O::mul(x, O::splat(kLog2e)), O::splat(kMagic)), O::splat(kMagic));
  V r = O::sub(x, O::mul(n, O::splat(kLn2Hi)));
  r = O::sub(r, O::mul(n, O::splat(kLn2Lo)));
  V p = O::splat(1.0f / 5040.0f);
  p = O::add(O::mul(p, r), O::splat(1.0f / 720.0f));
  p = O::add(O::mul(p, r), O::splat(1.0f / 120.0f));
  p = O::add(O::mul(p, r), O::splat(1.0f / 24.0f));
  p = O::add(O::mul(p, r), O::splat(1.0f / 6.0f));
  p = O::add(O::mul(p, r), O::splat(0.5f));
  p = O::add(O::mul(p, r), O::splat(1.0f));
  p = O::add(O::mul(p, r), O::splat(1.0f));
  const typename O::I ni = O::to_int(n);
  const typename O::I h = O::sra1(ni);
  const V s1 = O::pow2_biased(O::iadd(h, 127));
  const V s2 = O::pow2_biased(O::iadd(O::isub(ni, h), 127));
  return O::mul(O::mul(p, s1), s2);
}

template <class O>
typename O::V sigmoid(typename O::V x) {
  typedef typename O::V V;
  const V e = exp<O>(O::neg(O::abs(x)));
  const V q = O::div(e, O::add(O::splat(1.0f), e));
  return O::select(O::lt(O::splat(0.0f), x), O::sub(O::splat(1.0f), q), q);
}

template <class O>
typename O::V tanh(typename O::V x) {
  typedef typename O::V V;
  const V z = O::abs(x);
  // Small |x|: x + x^3 P(x^2), Taylor coefficients of tanh.
  const V z2 = O::mul(z, z);
  V p = O::splat(-929569.0f / 638512875.0f);
  p = O::add(O::mul(p, z2), O::splat(21844.0f / 6081075.0f));
  p = O::add(O::mul(p, z2), O::splat(-1382.0f / 155925.0f));
  p = O::add(O::mul(p, z2), O::splat(62.0f / 2835.0f));
  p = O::add(O::mul(p, z2), O::splat(-17.0f / 315.0f));
  p = O::add(O::mul(p, z2), O::splat(2.0f / 15.0f));
  p = O::add(O::mul(p, z2), O::splat(-1.0f / 3.0f));
  const V small = O::add(z, O::mul(O::mul(z, z2), p));
  // Large |x|: (1 - e) / (1 + e), e = exp(-2|x|).
  const V e = exp<O>(O::mul(z, O::splat(-2.0f)));
  const V large = O::div(O::sub(O::splat(1.0f), e), O::add(O::splat(1.0f), e));
  return O::copysign_or(O::select(O::lt(z, O::splat(0.4f)), small, large), x);
}

template <class O>
typename O::V gelu_erf(typename O::V x) {
  typedef typename O::V V;
  const V w = O::abs(O::mul(x, O::splat(0.707106781186547524f)));
  const V t = O::div(O::splat(1.0f), O::add(O::splat(1.0f), O::mul(w, O::splat(0.3275911f))));
  V p = O::splat(1.061405429f);
  p = O::add(O::mul(p, t), O::splat(-1.453152027f));
  p = O::add(O::mul(p, t), O::splat(1.421413741f));
  p = O::add(O::mul(p, t), O::splat(-0.284496736f));
  p = O::add(O::mul(p, t), O::splat(0.254829592f));
  const V e = O::mul(O::mul(p, t), exp<O>(O::neg(O::mul(w, w))));  // ~ erfc(w), w >= 0
  const V c = O::select(O::lt(x, O::splat(0.0f)), e, O::sub(O::splat(2.0f), e));  // erfc(-x / sqrt 2)
  return O::mul(O::mul(O::splat(0.5f), x), c);
}

template <class O>
typename O::V gelu_tanh(typename O::V x) {
  typedef typename O::V V;
  const V x3 = O::mul(O::mul(x, x), x);
  const V inner = O::add(x, O::mul(O::splat(0.044715f), x3));
  const V u2 = O::mul(O::splat(1.59576912160573071f), inner);  // 2 * sqrt(2 / pi)
  return O::mul(x, sigmoid<O>(u2));
}

template <class O>
typename O::V silu(typename O::V x) {
  return O::mul(x, sigmoid<O>(x));
}

template <class O>
typename O::V hardswish(typename O::V x) {
  const typename O::V c = O::min(O::max(O::add(x, O::splat(3.0f)), O::splat(0.0f)), O::splat(6.0f));
  return O::mul(O::mul(x, c), O::splat(1.0f / 6.0f));
}

template <class O>
typename O::V hardsigmoid(typename O::V x, typename O::V alpha, typename O::V beta) {
  return O::min(O::max(O::add(O::mul(x, alpha), beta), O::splat(0.0f)), O::splat(1.0f));
}

template <class O>
typename O::V leaky_relu(typename O::V x, typename O::V alpha) {
  return O::select(O::lt(x, O::splat(0.0f)), O::mul(x, alpha), x);
}

}  // namespace vmath
}  // namespace wasmq

namespace wasmq {
namespace vmath {

// The one summation order of the float reductions (softmax, layer norm): element i goes to partial
// sum i mod 16 (in increasing i); t[k] = (s[k] + s[4+k]) + (s[8+k] + s[12+k]) for k < 4;
// total = (t[0] + t[1]) + (t[2] + t[3]). The SIMD kernels keep s as four f32x4 accumulators.
struct Sum16 {
  float s[16] = {0};
  void add(size_t i, float v) { s[i & 15] = s[i & 15] + v; }
  float total() const {
    float t[4];
    for (int k = 0; k < 4; ++k) t[k] = (s[k] + s[4 + k]) + (s[8 + k] + s[12 + k]);
    return (t[0] + t[1]) + (t[2] + t[3]);
  }
};

#if defined(WASMQ_HAVE_WASMSIMD)
inline float total16(v128_t a0, v128_t a1, v128_t a2, v128_t a3) {
  const v128_t t = wasm_f32x4_add(wasm_f32x4_add(a0, a1), wasm_f32x4_add(a2, a3));
  return (wasm_f32x4_extract_lane(t, 0) + wasm_f32x4_extract_lane(t, 1)) +
         (wasm_f32x4_extract_lane(t, 2) + wasm_f32x4_extract_lane(t, 3));
}

// Loads the first n (< 4) floats of p, zero in the other lanes (never reads past p[n-1]).
inline v128_t load_partial(const float* p, size_t n) {
  float tmp[4] = {0.0f, 0.0f, 0.0f, 0.0f};
  for (size_t i = 0; i < n; ++i) tmp[i] = p[i];
  return wasm_v128_load(tmp);
}

inline void store_partial(float* p, v128_t v, size_t n) {
  float tmp[4];
  wasm_v128_store(tmp, v);
  for (size_t i = 0; i < n; ++i) p[i] = tmp[i];
}
#endif

}  // namespace vmath
}  // namespace wasmq

// Layer normalization over the last axis: scalar reference, WASM SIMD x16 (bit-exact), kernel choice.
#include "kernels/layernorm/layernorm.h"

#include <cmath>

#include "common/error.h"
#include "kernels/activations/vmath.h"

namespace wasmq {
namespace {

void check(const LayerNormShape& s, size_t r0, size_t r1) {
  WASMQ_CHECK(s.n > 0, "layernorm: empty rows");
  WASMQ_CHECK((s.x_stride == 0 || s.x_stride >= s.n) && (s.y_stride == 0 || s.y_stride >= s.n),
              "layernorm: row strides must be >= n");
  WASMQ_CHECK(s.epsilon >= 0.0f, "layernorm: epsilon must be >= 0");
  WASMQ_CHECK(r0 <= r1 && r1 <= s.rows, "layernorm: row range outside [0, rows]");
}

// mean and rstd from the two Sum16 totals (shared by both kernels).
inline float finish_mean(float sum, size_t n) { return sum / static_cast<float>(n); }
inline float finish_rstd(float sq, size_t n, float eps) {
  return 1.0f / std::sqrt(sq / static_cast<float>(n) + eps);
}

}  // namespace

void f32_layernorm__scalar(const LayerNormShape& s, const float* x, const float* gamma, const float* beta, float* y,
                           size_t r0, size_t r1) {
  check(s, r0, r1);
  const size_t xs = s.x_stride ? s.x_stride : s.n, ys = s.y_stride ? s.y_stride : s.n;
  for (size_t r = r0; r < r1; ++r) {
    const float* xr = x + r * xs;
    float* yr = y + r * ys;
    vmath::Sum16 sum, sq;
    for (size_t i = 0; i < s.n; ++i) sum.add(i, xr[i]);
    const float mean = finish_mean(sum.total(), s.n);
    for (size_t i = 0; i < s.n; ++i) {
      const float d = xr[i] - mean;
      sq.add(i, d * d);
    }
    const float rstd = finish_rstd(sq.total(), s.n, s.epsilon);
    for (size_t i = 0; i < s.n; ++i) {
      float v = (xr[i] - mean) * rstd;
      if (gamma) v = v * gamma[i];
      if (beta) v = v + beta[i];
      yr[i] = v;
    }
  }
}

#if defined(WASMQ_HAVE_WASMSIMD)
namespace {

// Sum16-ordered sum of f(x[i]) for i < n (f maps a vector of 4 inputs to 4 terms).
template <class F>
float sum16(const float* x, size_t n, F f) {
  v128_t acc[4] = {wasm_f32x4_splat(0.0f), wasm_f32x4_splat(0.0f), wasm_f32x4_splat(0.0f), wasm_f32x4_splat(0.0f)};
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    acc[0] = wasm_f32x4_add(acc[0], f(wasm_v128_load(x + i)));
    acc[1] = wasm_f32x4_add(acc[1], f(wasm_v128_load(x + i + 4)));
    acc[2] = wasm_f32x4_add(acc[2], f(wasm_v128_load(x + i + 8)));
    acc[3] = wasm_f32x4_add(acc[3], f(wasm_v128_load(x + i + 12)));
  }
  for (int g = 0; i < n; i += 4, ++g) {
    const size_t k = n - i < 4 ? n - i : 4;
    v128_t t = f(k == 4 ? wasm_v128_load(x + i) : vmath::load_partial(x + i, k));
    if (k < 4) t = wasm_v128_and(t, wasm_i32x4_lt(wasm_i32x4_make(0, 1, 2, 3), wasm_i32x4_splat(static_cast<int32_t>(k))));
    acc[g] = wasm_f32x4_add(acc[g], t);
  }
  return vmath::total16(acc[0], acc[1], acc[2], acc[3]);
}

}  // namespace

void f32_layernorm__wasmsimd_x16(const LayerNormShape& s, const float* x, const float* gamma, const float* beta,
                                 float* y, size_t r0, size_t r1) {
  check(s, r0, r1);
  const size_t xs = s.x_stride ? s.x_stride : s.n, ys = s.y_stride ? s.y_stride : s.n;
  const size_t n = s.n;
  for (size_t r = r0; r < r1; ++r) {
    const float* xr = x + r * xs;
    float* yr = y + r * ys;
    const float mean = finish_mean(sum16(xr, n, [](v128_t v) { return v; }), n);
    const v128_t vmean = wasm_f32x4_splat(mean);
    const float rstd = finish_rstd(sum16(xr, n, [vmean](v128_t v) {
                                     const v128_t d = wasm_f32x4_sub(v, vmean);
                                     return wasm_f32x4_mul(d, d);
                                   }), n, s.epsilon);
    const v128_t vrstd = wasm_f32x4_splat(rstd);
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
      v128_t v = wasm_f32x4_mul(wasm_f32x4_sub(wasm_v128_load(xr + i), vmean), vrstd);
      if (gamma) v = wasm_f32x4_mul(v, wasm_v128_load(gamma + i));
      if (beta) v = wasm_f32x4_add(v, wasm_v128_load(beta + i));
      wasm_v128_store(yr + i, v);
    }
    for (; i < n; ++i) {
      float v = (xr[i] - mean) * rstd;
      if (gamma) v = v * gamma[i];
      if (beta) v = v + beta[i];
      yr[i] = v;
    }
  }
}
#endif

f32_layernorm_fn f32_layernorm_config() {
#if defined(WASMQ_HAVE_WASMSIMD)
  return f32_layernorm__wasmsimd_x16;
#else
  return f32_layernorm__scalar;
#endif
}

}  // namespace wasmq

// f32_rminmax: scalar reference and WASM SIMD (4 accumulators of 4 lanes) versions.
#include "kernels/rminmax/rminmax.h"

#include <algorithm>
#include <cmath>

#include "simd/wasm_simd.h"

namespace wasmq {

bool f32_rminmax__scalar(size_t n, const float* x, float* min, float* max) {
  float lo = x[0], hi = x[0];
  bool finite = true;
  for (size_t i = 0; i < n; ++i) {
    finite &= std::fabs(x[i]) <= 3.40282347e38f;  // false for NaN and Inf
    lo = std::min(lo, x[i]);
    hi = std::max(hi, x[i]);
  }
  *min = lo;
  *max = hi;
  return finite;
}

#if defined(WASMQ_HAVE_WASMSIMD)
// min/max are exact whatever the order, so this equals the scalar version on finite input
// (up to the sign of a zero extreme, which no scale or zero point depends on).
bool f32_rminmax__wasmsimd_x16(size_t n, const float* x, float* min, float* max) {
  if (n < 16) return f32_rminmax__scalar(n, x, min, max);
  const v128_t big = wasm_f32x4_splat(3.40282347e38f);
  v128_t lo0 = wasm_v128_load(x), lo1 = lo0, lo2 = lo0, lo3 = lo0;
  v128_t hi0 = lo0, hi1 = lo0, hi2 = lo0, hi3 = lo0;
  v128_t ok = wasm_i32x4_splat(-1);
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const v128_t a = wasm_v128_load(x + i), b = wasm_v128_load(x + i + 4);
    const v128_t c = wasm_v128_load(x + i + 8), d = wasm_v128_load(x + i + 12);
    // |v| <= FLT_MAX is false for NaN and Inf.
    ok = wasm_v128_and(ok, wasm_v128_and(wasm_f32x4_le(wasm_f32x4_abs(a), big), wasm_f32x4_le(wasm_f32x4_abs(b), big)));
    ok = wasm_v128_and(ok, wasm_v128_and(wasm_f32x4_le(wasm_f32x4_abs(c), big), wasm_f32x4_le(wasm_f32x4_abs(d), big)));
    lo0 = wasm_f32x4_pmin(lo0, a);
    lo1 = wasm_f32x4_pmin(lo1, b);
    lo2 = wasm_f32x4_pmin(lo2, c);
    lo3 = wasm_f32x4_pmin(lo3, d);
    hi0 = wasm_f32x4_pmax(hi0, a);
    hi1 = wasm_f32x4_pmax(hi1, b);
    hi2 = wasm_f32x4_pmax(hi2, c);
    hi3 = wasm_f32x4_pmax(hi3, d);
  }
  if (!wasm_i32x4_all_true(ok)) return false;
  const v128_t lo = wasm_f32x4_pmin(wasm_f32x4_pmin(lo0, lo1), wasm_f32x4_pmin(lo2, lo3));
  const v128_t hi = wasm_f32x4_pmax(wasm_f32x4_pmax(hi0, hi1), wasm_f32x4_pmax(hi2, hi3));
  float l = wasm_f32x4_extract_lane(lo, 0), h = wasm_f32x4_extract_lane(hi, 0);
  l = std::min(std::min(l, wasm_f32x4_extract_lane(lo, 1)), std::min(wasm_f32x4_extract_lane(lo, 2), wasm_f32x4_extract_lane(lo, 3)));
  h = std::max(std::max(h, wasm_f32x4_extract_lane(hi, 1)), std::max(wasm_f32x4_extract_lane(hi, 2), wasm_f32x4_extract_lane(hi, 3)));
  bool finite = true;
  if (i < n) {
    float tl, th;
    finite = f32_rminmax__scalar(n - i, x + i, &tl, &th);
    l = std::min(l, tl);
    h = std::max(h, th);
  }
  *min = l;
  *max = h;
  return finite;
}
#endif

f32_rminmax_fn f32_rminmax_best() {
#if defined(WASMQ_HAVE_WASMSIMD)
  return f32_rminmax__wasmsimd_x16;
#else
  return f32_rminmax__scalar;
#endif
}

}  // namespace wasmq

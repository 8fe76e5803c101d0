// Softmax over the last axis: scalar reference, WASM SIMD x16 (bit-exact), and the kernel choice.
#include "kernels/softmax/softmax.h"

#include <limits>

#include "common/error.h"
#include "kernels/activations/vmath.h"

namespace wasmq {
namespace {

void check(const SoftmaxShape& s, size_t r0, size_t r1) {
  WASMQ_CHECK(s.n > 0, "softmax: empty rows");
  WASMQ_CHECK((s.x_stride == 0 || s.x_stride >= s.n) && (s.y_stride == 0 || s.y_stride >= s.n),
              "softmax: row strides must be >= n");
  WASMQ_CHECK(r0 <= r1 && r1 <= s.rows, "softmax: row range outside [0, rows]");
}

}  // namespace

void f32_softmax__scalar(const SoftmaxShape& s, const float* x, float* y, size_t r0, size_t r1) {
  check(s, r0, r1);
  using O = vmath::ScalarOps;
  const size_t xs = s.x_stride ? s.x_stride : s.n, ys = s.y_stride ? s.y_stride : s.n;
  for (size_t r = r0; r < r1; ++r) {
    const float* xr = x + r * xs;
    float* yr = y + r * ys;
    float m = -std::numeric_limits<float>::infinity();
    for (size_t i = 0; i < s.n; ++i) m = O::max(m, xr[i]);
    vmath::Sum16 sum;
    WASMQ_SCALAR_LOOP
    for (size_t i = 0; i < s.n; ++i) {
      const float e = vmath::exp<O>(xr[i] - m);
      yr[i] = e;
      sum.add(i, e);
    }
    const float inv = 1.0f / sum.total();
    for (size_t i = 0; i < s.n; ++i) yr[i] = yr[i] * inv;
  }
}

#if defined(WASMQ_HAVE_WASMSIMD)
void f32_softmax__wasmsimd_x16(const SoftmaxShape& s, const float* x, float* y, size_t r0, size_t r1) {
  check(s, r0, r1);
  using O = vmath::SimdOps;
  const size_t xs = s.x_stride ? s.x_stride : s.n, ys = s.y_stride ? s.y_stride : s.n;
  const size_t n = s.n, n4 = n & ~size_t{3};
  for (size_t r = r0; r < r1; ++r) {
    const float* xr = x + r * xs;
    float* yr = y + r * ys;
    // max (order does not change the value for non-NaN inputs)
    v128_t vm = wasm_f32x4_splat(-std::numeric_limits<float>::infinity());
    size_t i = 0;
    for (; i < n4; i += 4) vm = wasm_f32x4_pmax(vm, wasm_v128_load(xr + i));
    float m = vmath::ScalarOps::max(vmath::ScalarOps::max(wasm_f32x4_extract_lane(vm, 0), wasm_f32x4_extract_lane(vm, 1)),
                                    vmath::ScalarOps::max(wasm_f32x4_extract_lane(vm, 2), wasm_f32x4_extract_lane(vm, 3)));
    for (; i < n; ++i) m = vmath::ScalarOps::max(m, xr[i]);
    const v128_t vmax = wasm_f32x4_splat(m);
    // exp and the Sum16-ordered sum: vector g of each 16-block holds partial sums 4g..4g+3.
    v128_t acc[4] = {wasm_f32x4_splat(0.0f), wasm_f32x4_splat(0.0f), wasm_f32x4_splat(0.0f), wasm_f32x4_splat(0.0f)};
    for (i = 0; i + 16 <= n; i += 16) {
      for (int g = 0; g < 4; ++g) {
        const v128_t e = vmath::exp<O>(wasm_f32x4_sub(wasm_v128_load(xr + i + 4 * g), vmax));
        wasm_v128_store(yr + i + 4 * g, e);
        acc[g] = wasm_f32x4_add(acc[g], e);
      }
    }
    for (int g = 0; i < n; i += 4, ++g) {
      const size_t k = n - i < 4 ? n - i : 4;
      const v128_t v = k == 4 ? wasm_v128_load(xr + i) : vmath::load_partial(xr + i, k);
      v128_t e = vmath::exp<O>(wasm_f32x4_sub(v, vmax));
      if (k < 4) {
        // Lanes past n must add +0 to the partial sums (as the scalar order adds nothing there).
        const v128_t lane = wasm_i32x4_make(0, 1, 2, 3);
        e = wasm_v128_and(e, wasm_i32x4_lt(lane, wasm_i32x4_splat(static_cast<int32_t>(k))));
        vmath::store_partial(yr + i, e, k);
      } else {
        wasm_v128_store(yr + i, e);
      }
      acc[g] = wasm_f32x4_add(acc[g], e);
    }
    const v128_t inv = wasm_f32x4_splat(1.0f / vmath::total16(acc[0], acc[1], acc[2], acc[3]));
    for (i = 0; i < n4; i += 4) wasm_v128_store(yr + i, wasm_f32x4_mul(wasm_v128_load(yr + i), inv));
    const float invs = wasm_f32x4_extract_lane(inv, 0);
    for (; i < n; ++i) yr[i] = yr[i] * invs;
  }
}
#endif

f32_softmax_fn f32_softmax_config() {
#if defined(WASMQ_HAVE_WASMSIMD)
  return f32_softmax__wasmsimd_x16;
#else
  return f32_softmax__scalar;
#endif
}

}  // namespace wasmq

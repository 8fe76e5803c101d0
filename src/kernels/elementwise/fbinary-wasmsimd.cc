// WASM SIMD float32 binary kernels with fused clamp, 16 floats per iteration then 4, scalar tail;
// bit-exact to fbinary-scalar.cc (IEEE ops; max/min as pmax/pmin == std::max/std::min).
#include "kernels/elementwise/elementwise.h"
#include "simd/wasm_simd.h"

#if defined(WASMQ_HAVE_WASMSIMD)

namespace wasmq {
namespace {

struct Add { static v128_t f(v128_t a, v128_t b) { return wasm_f32x4_add(a, b); } };
struct Sub { static v128_t f(v128_t a, v128_t b) { return wasm_f32x4_sub(a, b); } };
struct Mul { static v128_t f(v128_t a, v128_t b) { return wasm_f32x4_mul(a, b); } };
struct Div { static v128_t f(v128_t a, v128_t b) { return wasm_f32x4_div(a, b); } };
struct Max { static v128_t f(v128_t a, v128_t b) { return wasm_f32x4_pmax(a, b); } };
struct Min { static v128_t f(v128_t a, v128_t b) { return wasm_f32x4_pmin(a, b); } };

// mode 0: a[i] op b[i]; 1: a[i] op b[0]; 2: b[0] op a[i].
template <class Op, int kMode>
void run(size_t n, const float* a, const float* b, float* y, const F32MinMaxParams& p, f32_vbinary_fn tail) {
  if (n == 0) return;
  const v128_t lo = wasm_f32x4_splat(p.min), hi = wasm_f32x4_splat(p.max);
  const v128_t c = wasm_f32x4_splat(b[0]);
  auto one = [&](size_t i) {
    const v128_t va = wasm_v128_load(a + i);
    const v128_t r = kMode == 0 ? Op::f(va, wasm_v128_load(b + i)) : kMode == 1 ? Op::f(va, c) : Op::f(c, va);
    wasm_v128_store(y + i, wasm_f32x4_pmin(wasm_f32x4_pmax(r, lo), hi));
  };
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    one(i);
    one(i + 4);
    one(i + 8);
    one(i + 12);
  }
  for (; i + 4 <= n; i += 4) one(i);
  if (i < n) tail(n - i, a + i, kMode == 0 ? b + i : b, y + i, p);
}

}  // namespace

#define WASMQ_DEFINE(name, Op, mode)                                                                                  \
  void f32_##name##_minmax__wasmsimd_x16(size_t n, const float* a, const float* b, float* y, const F32MinMaxParams& p) { \
    run<Op, mode>(n, a, b, y, p, f32_##name##_minmax__scalar);                                                        \
  }
WASMQ_DEFINE(vadd, Add, 0)
WASMQ_DEFINE(vaddc, Add, 1)
WASMQ_DEFINE(vsub, Sub, 0)
WASMQ_DEFINE(vsubc, Sub, 1)
WASMQ_DEFINE(vrsubc, Sub, 2)
WASMQ_DEFINE(vmul, Mul, 0)
WASMQ_DEFINE(vmulc, Mul, 1)
WASMQ_DEFINE(vdiv, Div, 0)
WASMQ_DEFINE(vdivc, Div, 1)
WASMQ_DEFINE(vrdivc, Div, 2)
WASMQ_DEFINE(vmax, Max, 0)
WASMQ_DEFINE(vmaxc, Max, 1)
WASMQ_DEFINE(vmin, Min, 0)
WASMQ_DEFINE(vminc, Min, 1)
#undef WASMQ_DEFINE

}  // namespace wasmq

#endif  // WASMQ_HAVE_WASMSIMD

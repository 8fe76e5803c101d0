// Scalar reference float32 binary kernels with a fused clamp: y = min(max(a op b, min), max).
#include <algorithm>

#include "kernels/elementwise/elementwise.h"
#include "kernels/activations/vmath.h"
#include "kernels/elementwise/fminmax.h"

namespace wasmq {
namespace {

struct Add { static float f(float a, float b) { return a + b; } };
struct Sub { static float f(float a, float b) { return a - b; } };
struct Mul { static float f(float a, float b) { return a * b; } };
struct Div { static float f(float a, float b) { return a / b; } };
struct Max { static float f(float a, float b) { return pmax_f32(a, b); } };
struct Min { static float f(float a, float b) { return pmin_f32(a, b); } };

inline float clamp(float v, const F32MinMaxParams& p) { return pmin_f32(pmax_f32(v, p.min), p.max); }

template <class Op>
void vop(size_t n, const float* a, const float* b, float* y, const F32MinMaxParams& p) {
  WASMQ_SCALAR_LOOP
  for (size_t i = 0; i < n; ++i) y[i] = clamp(Op::f(a[i], b[i]), p);
}
template <class Op>
void vopc(size_t n, const float* a, const float* b, float* y, const F32MinMaxParams& p) {
  const float c = b[0];
  WASMQ_SCALAR_LOOP
  for (size_t i = 0; i < n; ++i) y[i] = clamp(Op::f(a[i], c), p);
}
template <class Op>
void vropc(size_t n, const float* a, const float* b, float* y, const F32MinMaxParams& p) {
  const float c = b[0];
  WASMQ_SCALAR_LOOP
  for (size_t i = 0; i < n; ++i) y[i] = clamp(Op::f(c, a[i]), p);
}

}  // namespace

#define WASMQ_DEFINE(name, tmpl, Op) \
  void f32_##name##_minmax__scalar(size_t n, const float* a, const float* b, float* y, const F32MinMaxParams& p) { tmpl<Op>(n, a, b, y, p); }
WASMQ_DEFINE(vadd, vop, Add)
WASMQ_DEFINE(vaddc, vopc, Add)
WASMQ_DEFINE(vsub, vop, Sub)
WASMQ_DEFINE(vsubc, vopc, Sub)
WASMQ_DEFINE(vrsubc, vropc, Sub)
WASMQ_DEFINE(vmul, vop, Mul)
WASMQ_DEFINE(vmulc, vopc, Mul)
WASMQ_DEFINE(vdiv, vop, Div)
WASMQ_DEFINE(vdivc, vopc, Div)
WASMQ_DEFINE(vrdivc, vropc, Div)
WASMQ_DEFINE(vmax, vop, Max)
WASMQ_DEFINE(vmaxc, vopc, Max)
WASMQ_DEFINE(vmin, vop, Min)
WASMQ_DEFINE(vminc, vopc, Min)
#undef WASMQ_DEFINE

}  // namespace wasmq

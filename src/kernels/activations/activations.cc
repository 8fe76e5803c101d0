// Float activations: one functor per op over vmath ops types, instantiated for the scalar reference
// and (when compiled in) WASM SIMD x16; plus the kernel tables.
#include "kernels/activations/activations.h"
#include "kernels/activations/vmath.h"

namespace wasmq {
namespace {

using vmath::ScalarOps;

struct Relu { template <class O> static typename O::V f(typename O::V x, const F32UnaryParams&) { return O::max(x, O::splat(0.0f)); } };
struct Clip { template <class O> static typename O::V f(typename O::V x, const F32UnaryParams& p) { return O::min(O::max(x, O::splat(p.min)), O::splat(p.max)); } };
struct Sigmoid { template <class O> static typename O::V f(typename O::V x, const F32UnaryParams&) { return vmath::sigmoid<O>(x); } };
struct Tanh { template <class O> static typename O::V f(typename O::V x, const F32UnaryParams&) { return vmath::tanh<O>(x); } };
struct GeluErf { template <class O> static typename O::V f(typename O::V x, const F32UnaryParams&) { return vmath::gelu_erf<O>(x); } };
struct GeluTanh { template <class O> static typename O::V f(typename O::V x, const F32UnaryParams&) { return vmath::gelu_tanh<O>(x); } };
struct HSwish { template <class O> static typename O::V f(typename O::V x, const F32UnaryParams&) { return vmath::hardswish<O>(x); } };
struct HSigmoid { template <class O> static typename O::V f(typename O::V x, const F32UnaryParams& p) { return vmath::hardsigmoid<O>(x, O::splat(p.alpha), O::splat(p.beta)); } };
struct LRelu { template <class O> static typename O::V f(typename O::V x, const F32UnaryParams& p) { return vmath::leaky_relu<O>(x, O::splat(p.alpha)); } };
struct Silu { template <class O> static typename O::V f(typename O::V x, const F32UnaryParams&) { return vmath::silu<O>(x); } };
struct Exp { template <class O> static typename O::V f(typename O::V x, const F32UnaryParams&) { return vmath::exp<O>(x); } };

template <class F>
void run_scalar(size_t n, const float* x, float* y, const F32UnaryParams& p) {
  WASMQ_SCALAR_LOOP
  for (size_t i = 0; i < n; ++i) y[i] = F::template f<ScalarOps>(x[i], p);
}

#if defined(WASMQ_HAVE_WASMSIMD)
template <class F>
void run_simd(size_t n, const float* x, float* y, const F32UnaryParams& p) {
  using vmath::SimdOps;
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const v128_t a = F::template f<SimdOps>(wasm_v128_load(x + i), p);
    const v128_t b = F::template f<SimdOps>(wasm_v128_load(x + i + 4), p);
    const v128_t c = F::template f<SimdOps>(wasm_v128_load(x + i + 8), p);
    const v128_t d = F::template f<SimdOps>(wasm_v128_load(x + i + 12), p);
    wasm_v128_store(y + i, a);
    wasm_v128_store(y + i + 4, b);
    wasm_v128_store(y + i + 8, c);
    wasm_v128_store(y + i + 12, d);
  }
  for (; i + 4 <= n; i += 4) wasm_v128_store(y + i, F::template f<SimdOps>(wasm_v128_load(x + i), p));
  run_scalar<F>(n - i, x + i, y + i, p);
}
#endif

}  // namespace

#define WASMQ_DEFINE(name, F)                                                                                      \
  void f32_##name##__scalar(size_t n, const float* x, float* y, const F32UnaryParams& p) { run_scalar<F>(n, x, y, p); } \
  WASMQ_DEFINE_SIMD(name, F)
#if defined(WASMQ_HAVE_WASMSIMD)
#define WASMQ_DEFINE_SIMD(name, F) \
  void f32_##name##__wasmsimd_x16(size_t n, const float* x, float* y, const F32UnaryParams& p) { run_simd<F>(n, x, y, p); }
#else
#define WASMQ_DEFINE_SIMD(name, F)
#endif
WASMQ_DEFINE(vrelu, Relu)
WASMQ_DEFINE(vclip, Clip)
WASMQ_DEFINE(vsigmoid, Sigmoid)
WASMQ_DEFINE(vtanh, Tanh)
WASMQ_DEFINE(vgelu_erf, GeluErf)
WASMQ_DEFINE(vgelu_tanh, GeluTanh)
WASMQ_DEFINE(vhswish, HSwish)
WASMQ_DEFINE(vhsigmoid, HSigmoid)
WASMQ_DEFINE(vlrelu, LRelu)
WASMQ_DEFINE(vsilu, Silu)
WASMQ_DEFINE(vexp, Exp)
#undef WASMQ_DEFINE
#undef WASMQ_DEFINE_SIMD

const char* unary_op_name(UnaryOp op) {
  static const char* names[] = {"relu",  "clip",      "sigmoid",     "tanh",      "gelu_erf", "gelu_tanh",
                                "hswish", "hsigmoid", "leaky_relu", "silu", "exp"};
  const int k = static_cast<int>(op);
  return k >= 0 && k < static_cast<int>(UnaryOp::kCount) ? names[k] : "?";
}

#define WASMQ_TABLE(isa)                                                                                       \
  {                                                                                                            \
    {                                                                                                          \
      f32_vrelu__##isa, f32_vclip__##isa, f32_vsigmoid__##isa, f32_vtanh__##isa, f32_vgelu_erf__##isa,         \
          f32_vgelu_tanh__##isa, f32_vhswish__##isa, f32_vhsigmoid__##isa, f32_vlrelu__##isa, f32_vsilu__##isa, \
          f32_vexp__##isa                                                                                      \
    }                                                                                                          \
  }

const ActivationConfig& activation_config_scalar() {
  static const ActivationConfig config = WASMQ_TABLE(scalar);
  return config;
}

const ActivationConfig& activation_config() {
#if defined(WASMQ_HAVE_WASMSIMD)
  static const ActivationConfig config = WASMQ_TABLE(wasmsimd_x16);
  return config;
#else
  return activation_config_scalar();
#endif
}

}  // namespace wasmq

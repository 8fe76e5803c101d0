// Float32 activations (relu, clip/relu6, sigmoid, tanh, gelu erf and tanh forms, hard-swish,
// hard-sigmoid, leaky relu, silu, exp): scalar reference and WASM SIMD, bit-identical because both
// instantiate the same templates of vmath.h. Memory contract: exactly n elements are read and
// written (SIMD over whole vectors, the tail through the scalar instantiation); y may equal x.
#pragma once

#include <cstddef>
#include <limits>

namespace wasmq {

enum class UnaryOp {
  kRelu,         // max(x, 0)
  kClip,         // min(max(x, p.min), p.max)   (relu6: min 0, max 6)
  kSigmoid,
  kTanh,
  kGeluErf,
  kGeluTanh,
  kHardSwish,    // x * min(max(x + 3, 0), 6) * (1/6)
  kHardSigmoid,  // min(max(x * p.alpha + p.beta, 0), 1)   (ONNX: alpha 0.2, beta 0.5)
  kLeakyRelu,    // x < 0 ? x * p.alpha : x
  kSilu,         // x * sigmoid(x)
  kExp,
  kCount
};
const char* unary_op_name(UnaryOp op);

struct F32UnaryParams {
  float alpha = 0.01f;
  float beta = 0.5f;
  float min = -std::numeric_limits<float>::infinity();
  float max = std::numeric_limits<float>::infinity();
};

typedef void (*f32_vunary_fn)(size_t n, const float* x, float* y, const F32UnaryParams& p);

#define WASMQ_DECLARE_UNARY(isa)                                                                  \
  void f32_vrelu__##isa(size_t n, const float* x, float* y, const F32UnaryParams& p);             \
  void f32_vclip__##isa(size_t n, const float* x, float* y, const F32UnaryParams& p);             \
  void f32_vsigmoid__##isa(size_t n, const float* x, float* y, const F32UnaryParams& p);          \
  void f32_vtanh__##isa(size_t n, const float* x, float* y, const F32UnaryParams& p);             \
  void f32_vgelu_erf__##isa(size_t n, const float* x, float* y, const F32UnaryParams& p);         \
  void f32_vgelu_tanh__##isa(size_t n, const float* x, float* y, const F32UnaryParams& p);        \
  void f32_vhswish__##isa(size_t n, const float* x, float* y, const F32UnaryParams& p);           \
  void f32_vhsigmoid__##isa(size_t n, const float* x, float* y, const F32UnaryParams& p);         \
  void f32_vlrelu__##isa(size_t n, const float* x, float* y, const F32UnaryParams& p);            \
  void f32_vsilu__##isa(size_t n, const float* x, float* y, const F32UnaryParams& p);             \
  void f32_vexp__##isa(size_t n, const float* x, float* y, const F32UnaryParams& p);

WASMQ_DECLARE_UNARY(scalar)
#if defined(WASMQ_HAVE_WASMSIMD)
WASMQ_DECLARE_UNARY(wasmsimd_x16)
#endif
#undef WASMQ_DECLARE_UNARY

struct ActivationConfig {
  f32_vunary_fn fn[static_cast<int>(UnaryOp::kCount)];
};
const ActivationConfig& activation_config();
const ActivationConfig& activation_config_scalar();

}  // namespace wasmq

// The one requantization rule of every int8 kernel (GEMM, conv, depthwise, pooling, elementwise):
// int32 accumulator -> 8-bit output, "fp32" style as in XNNPACK/ONNX Runtime. Every SIMD path must
// produce exactly what requantize_fp32() produces. Written down in docs/kernels.md.
#pragma once

#include <algorithm>
#include <cstdint>

#include "common/bits.h"

namespace wasmq {

// scale = input_scale * weight_scale / output_scale, computed once in float32 (per output
// channel when weights are per channel). qmin/qmax are the output dtype's range, narrowed by a
// fused activation (ReLU: qmin = zero_point; ReLU6: qmax = zero_point + round(6 / output_scale)).
struct RequantParams {
  float scale;
  int32_t zero_point;
  int32_t qmin;
  int32_t qmax;
};

// y = clamp(round_half_even(float(acc) * scale) + zero_point, qmin, qmax).
// float(acc) rounds to nearest even (exact for |acc| < 2^24); the product is one float32 multiply.
// The clamp happens in float before rounding: since its bounds (qmin - zp, qmax - zp) are whole
// numbers, clamp-then-round equals round-then-clamp, and afterwards |v| < 2^22 so adding
// 1.5 * 2^23 rounds half to even in the FPU and leaves the integer in the low mantissa bits.
inline int32_t requantize_fp32(int32_t acc, float scale, int32_t zero_point, int32_t qmin, int32_t qmax) {
  float v = static_cast<float>(acc) * scale;
  v = std::max(v, static_cast<float>(qmin - zero_point));
  v = std::min(v, static_cast<float>(qmax - zero_point));
  v += 12582912.0f;
  return static_cast<int32_t>(float_bits(v)) - 0x4B400000 + zero_point;
}

inline int32_t requantize_fp32(int32_t acc, const RequantParams& p) {
  return requantize_fp32(acc, p.scale, p.zero_point, p.qmin, p.qmax);
}

}  // namespace wasmq

// Layer normalization over the last axis, float32:
//   mean = Sum16(x) / n;  var = Sum16((x - mean)^2) / n;  rstd = 1 / sqrt(var + eps)
//   y = ((x - mean) * rstd) * gamma + beta     (gamma / beta may be null: the step is skipped)
// Sum16 is the summation order of vmath.h; the scalar reference and the SIMD kernel agree bit for
// bit. Rows [row_begin, row_end) of a [rows][n] view with row strides are computed.
// Memory contract: reads exactly n floats per row (and n of gamma/beta), writes exactly n; y may
// equal x.
#pragma once

#include <cstddef>

namespace wasmq {

struct LayerNormShape {
  size_t rows = 1, n = 1;
  size_t x_stride = 0;  // 0 = n
  size_t y_stride = 0;  // 0 = n
  float epsilon = 1e-5f;
};

typedef void (*f32_layernorm_fn)(const LayerNormShape& s, const float* x, const float* gamma, const float* beta,
                                 float* y, size_t row_begin, size_t row_end);

void f32_layernorm__scalar(const LayerNormShape& s, const float* x, const float* gamma, const float* beta, float* y,
                           size_t row_begin, size_t row_end);
#if defined(WASMQ_HAVE_WASMSIMD)
void f32_layernorm__wasmsimd_x16(const LayerNormShape& s, const float* x, const float* gamma, const float* beta,
                                 float* y, size_t row_begin, size_t row_end);
#endif
f32_layernorm_fn f32_layernorm_config();

}  // namespace wasmq

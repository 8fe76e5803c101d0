// Softmax over the last axis, float32, numerically stable: m = max(x); e_i = exp(x_i - m) (vmath
// exp); s = sum of e_i in the Sum16 order (vmath.h); y_i = e_i * (1 / s). The scalar reference and
// the SIMD kernel perform the same operations in the same order and agree bit for bit.
// Rows [row_begin, row_end) of a [rows][n] view with row strides (elements) are computed.
// Memory contract: reads exactly n floats per row, writes exactly n; y may equal x.
#pragma once

#include <cstddef>

namespace wasmq {

struct SoftmaxShape {
  size_t rows = 1, n = 1;
  size_t x_stride = 0;  // 0 = n
  size_t y_stride = 0;  // 0 = n
};

typedef void (*f32_softmax_fn)(const SoftmaxShape& s, const float* x, float* y, size_t row_begin, size_t row_end);

void f32_softmax__scalar(const SoftmaxShape& s, const float* x, float* y, size_t row_begin, size_t row_end);
#if defined(WASMQ_HAVE_WASMSIMD)
void f32_softmax__wasmsimd_x16(const SoftmaxShape& s, const float* x, float* y, size_t row_begin, size_t row_end);
#endif
f32_softmax_fn f32_softmax_config();

}  // namespace wasmq

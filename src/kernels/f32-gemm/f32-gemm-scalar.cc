// Scalar reference float32 GEMM on packed weights: defines the summation order (see f32-gemm.h).
#include <algorithm>

#include "common/error.h"
#include "kernels/f32-gemm/f32-gemm.h"

namespace wasmq {

void f32_gemm_minmax__scalar(size_t m_begin, size_t m_end, size_t n_begin, size_t n_end, size_t k, const float* a,
                             size_t a_stride, const float* packed_w, float* c, size_t c_stride,
                             const F32GemmParams& p) {
  WASMQ_CHECK(n_begin % kF32GemmNR == 0, "f32 gemm: n_begin must be a multiple of 8");
  const size_t nr = kF32GemmNR;
  for (size_t m = m_begin; m < m_end; ++m) {
    const float* ar = a + m * a_stride;
    for (size_t n = n_begin; n < n_end; ++n) {
      const float* g = packed_w + (n / nr) * nr * (k + 1);
      const size_t j = n % nr;
      float acc = g[j];
      for (size_t kk = 0; kk < k; ++kk) {
        const float prod = ar[kk] * g[nr + kk * nr + j];
        acc = acc + prod;
      }
      acc = std::max(acc, p.fmin);
      c[m * c_stride + n] = std::min(acc, p.fmax);
    }
  }
}

}  // namespace wasmq

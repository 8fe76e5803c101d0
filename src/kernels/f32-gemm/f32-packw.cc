// Packs float weights + bias into groups of 8 columns for the f32 GEMM kernels (layout in f32-gemm.h).
#include <cstring>

#include "kernels/f32-gemm/f32-gemm.h"

namespace wasmq {

void f32_packw(size_t n, size_t k, const float* w, size_t w_n_stride, size_t w_k_stride, const float* bias,
               float* packed) {
  const size_t nr = kF32GemmNR;
  for (size_t n0 = 0; n0 < n; n0 += nr) {
    std::memset(packed, 0, nr * (k + 1) * sizeof(float));
    for (size_t j = 0; j < nr && n0 + j < n; ++j) {
      packed[j] = bias ? bias[n0 + j] : 0.0f;
      for (size_t kk = 0; kk < k; ++kk) packed[nr + kk * nr + j] = w[(n0 + j) * w_n_stride + kk * w_k_stride];
    }
    packed += nr * (k + 1);
  }
}

}  // namespace wasmq

// qgemm_sums_fit_int32: whether int16-activation GEMM sums over these weights stay exact in (wrapping) int32.
#include <cstdlib>

#include "kernels/qs8-gemm/qs8-gemm.h"

namespace wasmq {

bool qgemm_sums_fit_int32(size_t n, size_t k, const int8_t* w, size_t w_n_stride, size_t w_k_stride,
                          const int32_t* bias, int64_t max_abs_a) {
  const int64_t limit = int64_t{1} << 31;
  for (size_t col = 0; col < n; ++col) {
    int64_t abs_sum = 0;  // <= k * 128
    for (size_t kk = 0; kk < k; ++kk) abs_sum += std::llabs(static_cast<int64_t>(w[col * w_n_stride + kk * w_k_stride]));
    const int64_t b = bias ? std::llabs(static_cast<int64_t>(bias[col])) : 0;
    // max_abs_a * abs_sum + b < 2^31, without overflowing int64 for large max_abs_a.
    if (b >= limit) return false;
    if (abs_sum != 0 && max_abs_a > (limit - 1 - b) / abs_sum) return false;
  }
  return true;
}

}  // namespace wasmq

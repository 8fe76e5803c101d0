// Scalar reference block-int4 GEMM (f32 x qb4w, qb8 x qb4w) on packed weights: defines the float order.
#include <algorithm>
#include <cstring>

#include "common/error.h"
#include "kernels/qs4-gemm/qs4-gemm.h"

namespace wasmq {
namespace {

// Signed nibble of column j, element kk of the block whose packed data (after the scales) is `blk`.
inline int32_t weight(const uint8_t* blk, size_t j, size_t kk) {
  const size_t sb = kk / 32, r = kk % 32, t = r / 8, i = r % 8;
  const uint8_t byte = blk[(sb * kQs4NR + j) * 16 + 2 * i + (t >= 2 ? 1 : 0)];
  const int u = (t % 2) ? byte >> 4 : byte & 15;
  return u - 8;
}

inline float finish(float y, size_t n, const Qs4Params& p) {
  if (p.bias) y = y + p.bias[n];
  y = std::max(y, p.fmin);
  return std::min(y, p.fmax);
}

}  // namespace

void f32_qb4w_gemm_minmax__scalar(size_t m_begin, size_t m_end, size_t n_begin, size_t n_end, size_t k, size_t block,
                                  const float* a, size_t a_stride, const void* packed_w, float* c, size_t c_stride,
                                  const Qs4Params& p) {
  WASMQ_CHECK(n_begin % kQs4NR == 0, "qb4w gemm: n_begin must be a multiple of 4");
  const size_t nb = qs4_blocks(k, block), gb = qs4_group_bytes(k, block);
  const size_t block_bytes = kQs4NR * sizeof(float) + kQs4NR * block / 2;
  for (size_t m = m_begin; m < m_end; ++m) {
    const float* x = a + m * a_stride;
    for (size_t n = n_begin; n < n_end; ++n) {
      const uint8_t* g = static_cast<const uint8_t*>(packed_w) + (n / kQs4NR) * gb;
      const size_t j = n % kQs4NR;
      float y = 0.0f;
      for (size_t b = 0; b < nb; ++b) {
        const uint8_t* blk = g + b * block_bytes;
        float scale;
        std::memcpy(&scale, blk + j * sizeof(float), sizeof scale);
        float part[4] = {0.0f, 0.0f, 0.0f, 0.0f};
        for (size_t kk = 0; kk < block; ++kk) {
          const size_t kg = b * block + kk;
          const float av = kg < k ? x[kg] : 0.0f;
          const float prod = av * static_cast<float>(weight(blk + kQs4NR * sizeof(float), j, kk));
          part[kk % 4] = part[kk % 4] + prod;
        }
        const float bsum = (part[0] + part[2]) + (part[1] + part[3]);
        y = y + bsum * scale;
      }
      c[m * c_stride + n] = finish(y, n, p);
    }
  }
}

void qb8_qb4w_gemm_minmax__scalar(size_t m_begin, size_t m_end, size_t n_begin, size_t n_end, size_t k, size_t block,
                                  const Qb8Act& act, const void* packed_w, float* c, size_t c_stride,
                                  const Qs4Params& p) {
  WASMQ_CHECK(n_begin % kQs4NR == 0, "qb4w gemm: n_begin must be a multiple of 4");
  const size_t nb = qs4_blocks(k, block), gb = qs4_group_bytes(k, block);
  const size_t block_bytes = kQs4NR * sizeof(float) + kQs4NR * block / 2;
  for (size_t m = m_begin; m < m_end; ++m) {
    const int8_t* x = act.codes + m * nb * block;
    for (size_t n = n_begin; n < n_end; ++n) {
      const uint8_t* g = static_cast<const uint8_t*>(packed_w) + (n / kQs4NR) * gb;
      const size_t j = n % kQs4NR;
      float y = 0.0f;
      for (size_t b = 0; b < nb; ++b) {
        const uint8_t* blk = g + b * block_bytes;
        float scale;
        std::memcpy(&scale, blk + j * sizeof(float), sizeof scale);
        int32_t s = 0;
        for (size_t kk = 0; kk < block; ++kk) s += x[b * block + kk] * weight(blk + kQs4NR * sizeof(float), j, kk);
        y = y + static_cast<float>(s) * (act.scales[m * nb + b] * scale);
      }
      c[m * c_stride + n] = finish(y, n, p);
    }
  }
}

}  // namespace wasmq

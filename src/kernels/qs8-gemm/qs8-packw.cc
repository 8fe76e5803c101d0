// Packs int8 weights + int32 bias for the qs8 GEMM kernels (layouts in qs8-gemm.h), with column sums.
#include <cstring>

#include "common/error.h"
#include "kernels/qs8-gemm/qs8-gemm.h"

namespace wasmq {

namespace {

template <typename TW>
void packw(size_t n, size_t k, const int8_t* w, size_t w_n_stride, size_t w_k_stride, const int32_t* bias,
           void* packed) {
  const size_t nr = kQs8GemmNR, kr = kQs8GemmKR, kc = qs8_gemm_kc(k);
  uint8_t* out = static_cast<uint8_t*>(packed);
  for (size_t n0 = 0; n0 < n; n0 += nr) {
    int32_t header[2 * kQs8GemmNR] = {};
    TW* wp = reinterpret_cast<TW*>(out + sizeof header);
    std::memset(wp, 0, nr * kc * sizeof(TW));
    for (size_t j = 0; j < nr && n0 + j < n; ++j) {
      const size_t col = n0 + j;
      uint32_t sum = 0;
      for (size_t kk = 0; kk < k; ++kk) {
        const int8_t v = w[col * w_n_stride + kk * w_k_stride];
        wp[(kk / kr) * nr * kr + j * kr + kk % kr] = v;
        sum += static_cast<uint32_t>(static_cast<int32_t>(v));
      }
      header[j] = bias ? bias[col] : 0;
      header[nr + j] = static_cast<int32_t>(sum);
    }
    std::memcpy(out, header, sizeof header);
    out += sizeof header + nr * kc * sizeof(TW);
  }
}

}  // namespace

void qs8_packw(size_t n, size_t k, const int8_t* w, size_t w_n_stride, size_t w_k_stride, const int32_t* bias,
               void* packed) {
  packw<int8_t>(n, k, w, w_n_stride, w_k_stride, bias, packed);
}

void qs8_packw_w16(size_t n, size_t k, const int8_t* w, size_t w_n_stride, size_t w_k_stride, const int32_t* bias,
                   void* packed) {
  packw<int16_t>(n, k, w, w_n_stride, w_k_stride, bias, packed);
}

void qs8_packw_nb(size_t nb, size_t n, size_t k, const int8_t* w, size_t w_n_stride, size_t w_k_stride,
                  const int32_t* bias, void* packed) {
  WASMQ_CHECK(nb == 8 || nb == 16, "qs8_packw_nb: the block width must be 8 or 16");
  const size_t kc = qs8_gemm_kc(k), bb = qs8_packw_nb_block_bytes(nb, k);
  uint8_t* out = static_cast<uint8_t*>(packed);
  for (size_t n0 = 0; n0 < n; n0 += nb, out += bb) {
    int32_t header[2 * 16] = {};
    int16_t* wp = reinterpret_cast<int16_t*>(out + 2 * nb * 4);
    std::memset(wp, 0, kc * nb * sizeof(int16_t));
    for (size_t j = 0; j < nb && n0 + j < n; ++j) {
      const size_t col = n0 + j;
      uint32_t sum = 0;
      for (size_t kk = 0; kk < k; ++kk) {
        const int8_t v = w[col * w_n_stride + kk * w_k_stride];
        // pair q = kk / 2: nb columns x 2 depths, column j at (j * 2 + kk % 2)
        wp[(kk / 2) * nb * 2 + j * 2 + kk % 2] = v;
        sum += static_cast<uint32_t>(static_cast<int32_t>(v));
      }
      header[j] = bias ? bias[col] : 0;
      header[nb + j] = static_cast<int32_t>(sum);
    }
    std::memcpy(out, header, 2 * nb * 4);
  }
}

}  // namespace wasmq

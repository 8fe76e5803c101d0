// Scalar reference int8/int16-activation GEMM on packed weights: the definition every SIMD qs8/qu8/qs16 GEMM must equal.
#include <algorithm>
#include <cstring>

#include "common/error.h"
#include "kernels/qs8-gemm/qs8-gemm.h"
#include "kernels/requant/requant.h"

namespace wasmq {
namespace {

// Wrapping int32 accumulator of one output: bias - a_zp * colsum + sum_k a[k] * w[k] (mod 2^32).
template <typename TA, typename TW>
int32_t dot_packed(const TA* a, size_t k, const TW* w, size_t j, int32_t init) {
  uint32_t acc = static_cast<uint32_t>(init);
  for (size_t kk = 0; kk < k; ++kk) {
    const int32_t wv = w[(kk / kQs8GemmKR) * kQs8GemmNR * kQs8GemmKR + j * kQs8GemmKR + kk % kQs8GemmKR];
    acc += static_cast<uint32_t>(static_cast<int32_t>(a[kk]) * wv);
  }
  return static_cast<int32_t>(acc);
}

inline void store(int32_t acc, size_t, size_t, int32_t* c, const QGemmParams&) { *c = acc; }
inline void store(int32_t acc, size_t, size_t n, int8_t* c, const QGemmParams& p) {
  *c = static_cast<int8_t>(requantize_fp32(acc, p.scale[n], p.c_zero_point, p.qmin, p.qmax));
}
inline void store(int32_t acc, size_t, size_t n, uint8_t* c, const QGemmParams& p) {
  *c = static_cast<uint8_t>(requantize_fp32(acc, p.scale[n], p.c_zero_point, p.qmin, p.qmax));
}
inline void store(int32_t acc, size_t, size_t n, int16_t* c, const QGemmParams& p) {
  *c = static_cast<int16_t>(requantize_fp32(acc, p.scale[n], p.c_zero_point, p.qmin, p.qmax));
}
// y = float(acc) * (a_scale * w_scale) + bias, then clamp: exactly these float32 operations.
inline void store(int32_t acc, size_t m, size_t n, float* c, const QGemmParams& p) {
  const float s = p.a_scale[m * p.a_quant_stride] * p.scale[n];
  float y = static_cast<float>(acc) * s;
  if (p.fbias) y = y + p.fbias[n];
  y = std::max(y, p.fmin);
  *c = std::min(y, p.fmax);
}

template <typename TW, typename TA, typename TC>
void gemm_scalar(size_t m_begin, size_t m_end, size_t n_begin, size_t n_end, size_t k, const TA* a,
                 size_t a_stride, const void* packed_w, TC* c, size_t c_stride, const QGemmParams& p) {
  WASMQ_CHECK(n_begin % kQs8GemmNR == 0, "qgemm: n_begin must be a multiple of 4");
  const size_t group_bytes = qs8_packw_group_bytes(k, sizeof(TW));
  for (size_t m = m_begin; m < m_end; ++m) {
    const int32_t zp = p.a_zero_point ? p.a_zero_point[m * p.a_quant_stride] : 0;
    const uint8_t* g = static_cast<const uint8_t*>(packed_w) + (n_begin / kQs8GemmNR) * group_bytes;
    for (size_t n0 = n_begin; n0 < n_end; n0 += kQs8GemmNR, g += group_bytes) {
      int32_t header[2 * kQs8GemmNR];
      std::memcpy(header, g, sizeof header);
      const TW* w = reinterpret_cast<const TW*>(g + sizeof header);
      for (size_t j = 0; j < kQs8GemmNR && n0 + j < n_end; ++j) {
        const int32_t init = static_cast<int32_t>(static_cast<uint32_t>(header[j]) -
                                                  static_cast<uint32_t>(zp) * static_cast<uint32_t>(header[kQs8GemmNR + j]));
        const int32_t acc = dot_packed(a + m * a_stride, k, w, j, init);
        store(acc, m, n0 + j, c + m * c_stride + n0 + j, p);
      }
    }
  }
}

template <typename TA, typename TC>
void gemm_scalar_w8(size_t mb, size_t me, size_t nb, size_t ne, size_t k, const TA* a, size_t as, const void* w, TC* c,
                    size_t cs, const QGemmParams& p) {
  gemm_scalar<int8_t>(mb, me, nb, ne, k, a, as, w, c, cs, p);
}
template <typename TA, typename TC>
void gemm_scalar_w16(size_t mb, size_t me, size_t nb, size_t ne, size_t k, const TA* a, size_t as, const void* w,
                     TC* c, size_t cs, const QGemmParams& p) {
  gemm_scalar<int16_t>(mb, me, nb, ne, k, a, as, w, c, cs, p);
}

}  // namespace

#define WASMQ_DEFINE_QGEMM(name, TA, TC, impl)                                                          \
  void name(size_t mb, size_t me, size_t nb, size_t ne, size_t k, const TA* a, size_t as, const void* w, \
            TC* c, size_t cs, const QGemmParams& p) {                                                  \
    impl<TA, TC>(mb, me, nb, ne, k, a, as, w, c, cs, p);                                                \
  }

WASMQ_DEFINE_QGEMM(qs8_gemm_acc32__scalar, int8_t, int32_t, gemm_scalar_w8)
WASMQ_DEFINE_QGEMM(qs8_gemm_acc32__scalar_w16, int8_t, int32_t, gemm_scalar_w16)
WASMQ_DEFINE_QGEMM(qu8_gemm_acc32__scalar, uint8_t, int32_t, gemm_scalar_w8)
WASMQ_DEFINE_QGEMM(qu8_gemm_acc32__scalar_w16, uint8_t, int32_t, gemm_scalar_w16)
WASMQ_DEFINE_QGEMM(qs8_gemm_minmax_fp32__scalar, int8_t, int8_t, gemm_scalar_w8)
WASMQ_DEFINE_QGEMM(qs8_gemm_minmax_fp32__scalar_w16, int8_t, int8_t, gemm_scalar_w16)
WASMQ_DEFINE_QGEMM(qu8_gemm_minmax_fp32__scalar, uint8_t, uint8_t, gemm_scalar_w8)
WASMQ_DEFINE_QGEMM(qu8_gemm_minmax_fp32__scalar_w16, uint8_t, uint8_t, gemm_scalar_w16)
WASMQ_DEFINE_QGEMM(qs8_gemm_f32__scalar, int8_t, float, gemm_scalar_w8)
WASMQ_DEFINE_QGEMM(qs8_gemm_f32__scalar_w16, int8_t, float, gemm_scalar_w16)
WASMQ_DEFINE_QGEMM(qu8_gemm_f32__scalar, uint8_t, float, gemm_scalar_w8)
WASMQ_DEFINE_QGEMM(qu8_gemm_f32__scalar_w16, uint8_t, float, gemm_scalar_w16)
// int16 activations and/or int16 output (A16W8).
WASMQ_DEFINE_QGEMM(qs8_qs16_gemm_minmax_fp32__scalar, int8_t, int16_t, gemm_scalar_w8)
WASMQ_DEFINE_QGEMM(qs8_qs16_gemm_minmax_fp32__scalar_w16, int8_t, int16_t, gemm_scalar_w16)
WASMQ_DEFINE_QGEMM(qs16_qs8_gemm_minmax_fp32__scalar, int16_t, int8_t, gemm_scalar_w8)
WASMQ_DEFINE_QGEMM(qs16_qs8_gemm_minmax_fp32__scalar_w16, int16_t, int8_t, gemm_scalar_w16)
WASMQ_DEFINE_QGEMM(qs16_gemm_minmax_fp32__scalar, int16_t, int16_t, gemm_scalar_w8)
WASMQ_DEFINE_QGEMM(qs16_gemm_minmax_fp32__scalar_w16, int16_t, int16_t, gemm_scalar_w16)

}  // namespace wasmq

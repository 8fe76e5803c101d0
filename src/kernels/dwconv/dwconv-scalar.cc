// Scalar reference depthwise convolution over the packed weights (int8/uint8, int16 activations, float32).
#include <algorithm>
#include <cstring>

#include "kernels/dwconv/dwconv.h"
#include "kernels/dwconv/dwconv-check.h"
#include "kernels/elementwise/qcheck.h"
#include "kernels/elementwise/fminmax.h"
#include "kernels/requant/requant.h"

namespace wasmq {
namespace {

// TIn/TOut: int8/uint8 (same type) or any int8/int16 mix. The accumulator wraps in int32 (done in
// uint32, so an overflowing layer is defined behaviour and equal to the SIMD kernels).
template <typename TIn, typename TOut>
void qdwconv(const DwconvShape& s, const TIn* input, const uint8_t* packed, TOut* output, const QDwconvParams& p,
             size_t r0, size_t r1) {
  dwconv_detail::check_call(s, r0, r1);
  dwconv_detail::check_qparams<TIn, TOut>(p);
  const size_t C = s.channels;
  const size_t bb = dwconv_detail::qs8_block_bytes(s), blocks = (C + 15) / 16;
  dwconv_detail::for_each_window(s, input, output, r0, r1, [&](TOut* out, const TIn* win, const dwconv_detail::Taps& taps) {
    for (size_t blk = 0; blk < blocks; ++blk) {
      const uint8_t* w = packed + blk * bb;
      const size_t c0 = blk * 16, nc = std::min<size_t>(16, C - c0);
      for (size_t j = 0; j < nc; ++j) {
        uint32_t acc;
        float scale;
        std::memcpy(&acc, w + 4 * j, 4);
        std::memcpy(&scale, w + 64 + 4 * j, 4);
        for (size_t t = 0; t < taps.count; ++t) {
          const int32_t x = static_cast<int32_t>(win[taps.offset[t] + static_cast<ptrdiff_t>(c0 + j)]);
          int16_t k;
          std::memcpy(&k, w + 128 + (taps.tap[t] * 16 + j) * 2, 2);
          acc += static_cast<uint32_t>((x - p.input_zero_point) * k);  // |x - zp| <= 2^15, |k| <= 2^7
        }
        out[c0 + j] = static_cast<TOut>(
            requantize_fp32(static_cast<int32_t>(acc), scale, p.output_zero_point, p.qmin, p.qmax));
      }
    }
  });
}

}  // namespace

WASMQ_DEFINE_QDWCONV(qs8_dwconv_minmax_fp32__scalar, int8_t, int8_t)

WASMQ_DEFINE_QDWCONV(qu8_dwconv_minmax_fp32__scalar, uint8_t, uint8_t)

WASMQ_DEFINE_QDWCONV(qs8_qs16_dwconv_minmax_fp32__scalar, int8_t, int16_t)

WASMQ_DEFINE_QDWCONV(qs16_qs8_dwconv_minmax_fp32__scalar, int16_t, int8_t)

WASMQ_DEFINE_QDWCONV(qs16_dwconv_minmax_fp32__scalar, int16_t, int16_t)

void f32_dwconv_minmax__scalar(const DwconvShape& s, const float* input, const uint8_t* packed, float* output,
                               const F32DwconvParams& p, size_t r0, size_t r1) {
  dwconv_detail::check_call(s, r0, r1);
  const size_t C = s.channels;
  const size_t bb = dwconv_detail::f32_block_bytes(s), blocks = (C + 15) / 16;
  dwconv_detail::for_each_window(s, input, output, r0, r1, [&](float* out, const float* win, const dwconv_detail::Taps& taps) {
    for (size_t blk = 0; blk < blocks; ++blk) {
      const uint8_t* w = packed + blk * bb;
      const size_t c0 = blk * 16, nc = std::min<size_t>(16, C - c0);
      for (size_t j = 0; j < nc; ++j) {
        float acc;
        std::memcpy(&acc, w + 4 * j, 4);
        for (size_t t = 0; t < taps.count; ++t) {
          float k;
          std::memcpy(&k, w + 64 + (taps.tap[t] * 16 + j) * 4, 4);
          acc = acc + win[taps.offset[t] + static_cast<ptrdiff_t>(c0 + j)] * k;
        }
        out[c0 + j] = pmin_f32(pmax_f32(acc, p.min), p.max);
      }
    }
  });
}

}  // namespace wasmq

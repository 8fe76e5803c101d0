// Depthwise convolution shapes, weight packing (16-channel blocks) and the kernel table.
#include <cmath>
#include <cstring>
#include <string>

#include "common/error.h"
#include "kernels/dwconv/dwconv.h"

namespace wasmq {

size_t DwconvShape::out_h() const {
  const size_t padded = in_h + pad_top + pad_bottom, extent = dilation_h * (kernel_h - 1) + 1;
  return padded < extent ? 0 : (padded - extent) / stride_h + 1;
}

size_t DwconvShape::out_w() const {
  const size_t padded = in_w + pad_left + pad_right, extent = dilation_w * (kernel_w - 1) + 1;
  return padded < extent ? 0 : (padded - extent) / stride_w + 1;
}

void DwconvShape::validate() const {
  WASMQ_CHECK(channels > 0 && in_h > 0 && in_w > 0, "dwconv: empty input");
  WASMQ_CHECK(kernel_h > 0 && kernel_w > 0, "dwconv: kernel size must be >= 1");
  WASMQ_CHECK(stride_h > 0 && stride_w > 0 && dilation_h > 0 && dilation_w > 0,
              "dwconv: strides and dilations must be >= 1");
  WASMQ_CHECK(in_stride() >= channels && out_stride() >= channels,
              "dwconv: pixel strides must be >= channels (" + std::to_string(channels) + ")");
  WASMQ_CHECK(out_h() > 0 && out_w() > 0, "dwconv: the kernel is larger than the padded input");
}

namespace dwconv_detail {
void check_call(const DwconvShape& s, size_t row_begin, size_t row_end) {
  s.validate();
  WASMQ_CHECK(row_begin <= row_end && row_end <= s.batch * s.out_h(), "dwconv: row range outside [0, batch*out_h]");
}
}  // namespace dwconv_detail

std::vector<float> dwconv_requant_scales(float input_scale, const float* weight_scales, size_t channels,
                                         float output_scale) {
  std::vector<float> r(channels);
  for (size_t c = 0; c < channels; ++c) {
    r[c] = input_scale * weight_scales[c] / output_scale;
    WASMQ_CHECK(std::isfinite(r[c]) && r[c] > 0.0f, "dwconv: requantization scale of channel " + std::to_string(c) +
                                                         " is not finite and > 0");
  }
  return r;
}

std::vector<uint8_t> qs8_dwconv_pack(const DwconvShape& s, const int8_t* weights, const int32_t* bias,
                                     const float* requant_scales) {
  const size_t blocks = (s.channels + 15) / 16, taps = s.kernel_h * s.kernel_w;
  const size_t bb = dwconv_detail::qs8_block_bytes(s);
  std::vector<uint8_t> packed(blocks * bb, 0);
  for (size_t b = 0; b < blocks; ++b) {
    uint8_t* blk = packed.data() + b * bb;
    for (size_t j = 0; j < 16 && b * 16 + j < s.channels; ++j) {
      const size_t c = b * 16 + j;
      const int32_t bv = bias ? bias[c] : 0;
      std::memcpy(blk + 4 * j, &bv, 4);
      std::memcpy(blk + 64 + 4 * j, &requant_scales[c], 4);
      for (size_t t = 0; t < taps; ++t) {
        const int16_t wv = weights[t * s.channels + c];
        std::memcpy(blk + 128 + (t * 16 + j) * 2, &wv, 2);
      }
    }
    // Padded channels keep scale 0: their outputs are computed but never stored.
  }
  return packed;
}

std::vector<uint8_t> f32_dwconv_pack(const DwconvShape& s, const float* weights, const float* bias) {
  const size_t blocks = (s.channels + 15) / 16, taps = s.kernel_h * s.kernel_w;
  const size_t bb = dwconv_detail::f32_block_bytes(s);
  std::vector<uint8_t> packed(blocks * bb, 0);
  for (size_t b = 0; b < blocks; ++b) {
    float* blk = reinterpret_cast<float*>(packed.data() + b * bb);
    for (size_t j = 0; j < 16 && b * 16 + j < s.channels; ++j) {
      const size_t c = b * 16 + j;
      blk[j] = bias ? bias[c] : 0.0f;
      for (size_t t = 0; t < taps; ++t) blk[16 + t * 16 + j] = weights[t * s.channels + c];
    }
  }
  return packed;
}

const DwconvConfig& dwconv_config() {
#if defined(WASMQ_HAVE_WASMSIMD)
  static const DwconvConfig config = {qs8_dwconv_minmax_fp32__wasmsimd_c16, qu8_dwconv_minmax_fp32__wasmsimd_c16,
                                      f32_dwconv_minmax__wasmsimd_c16};
#else
  static const DwconvConfig config = {qs8_dwconv_minmax_fp32__scalar, qu8_dwconv_minmax_fp32__scalar,
                                      f32_dwconv_minmax__scalar};
#endif
  return config;
}

const Dwconv16Config& dwconv16_config() {
#if defined(WASMQ_HAVE_WASMSIMD)
  static const Dwconv16Config config = {qs8_qs16_dwconv_minmax_fp32__wasmsimd_c16,
                                        qs16_qs8_dwconv_minmax_fp32__wasmsimd_c16,
                                        qs16_dwconv_minmax_fp32__wasmsimd_c16};
#else
  static const Dwconv16Config config = {qs8_qs16_dwconv_minmax_fp32__scalar, qs16_qs8_dwconv_minmax_fp32__scalar,
                                        qs16_dwconv_minmax_fp32__scalar};
#endif
  return config;
}

bool dwconv_sums_fit_int32(const DwconvShape& s, const int8_t* weights, const int32_t* bias, int64_t max_abs_x) {
  const size_t C = s.channels, taps = s.kernel_h * s.kernel_w;
  const int64_t limit = int64_t{1} << 31;
  WASMQ_CHECK(max_abs_x >= 0, "dwconv_sums_fit_int32: max_abs_x must be >= 0");
  for (size_t c = 0; c < C; ++c) {
    int64_t wsum = 0;  // <= 128 * taps
    for (size_t t = 0; t < taps; ++t) wsum += weights[t * C + c] < 0 ? -int64_t{weights[t * C + c]} : weights[t * C + c];
    const int64_t b = bias ? (bias[c] < 0 ? -int64_t{bias[c]} : int64_t{bias[c]}) : 0;
    if (b >= limit) return false;
    // max_abs_x * wsum + b < 2^31  <=>  max_abs_x <= (2^31 - 1 - b) / wsum (no int64 overflow for any max_abs_x).
    if (wsum != 0 && max_abs_x > (limit - 1 - b) / wsum) return false;
  }
  return true;
}

}  // namespace wasmq

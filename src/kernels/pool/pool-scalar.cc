// Scalar reference pooling kernels (max, average, global average; int8, uint8, float32), the
// parameter builder and the kernel table.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "common/error.h"
#include "kernels/elementwise/fminmax.h"
#include "kernels/pool/pool.h"
#include "kernels/elementwise/qcheck.h"
#include "kernels/requant/requant.h"

namespace wasmq {

QAvgPoolParams make_qavgpool_params(float input_scale, int32_t input_zp, float output_scale, int32_t output_zp,
                                    int32_t qmin, int32_t qmax, bool count_include_pad) {
  WASMQ_CHECK(std::isfinite(input_scale) && input_scale > 0.0f && std::isfinite(output_scale) && output_scale > 0.0f,
              "avgpool: scales must be finite and > 0");
  WASMQ_CHECK(qmin <= qmax, "avgpool: qmin > qmax");
  return QAvgPoolParams{input_scale / output_scale, input_zp, output_zp, qmin, qmax, count_include_pad};
}

namespace pool_detail {
void check_global(const GlobalPoolShape& s, size_t b0, size_t b1) {
  WASMQ_CHECK(s.pixels > 0 && s.channels > 0, "global pool: empty input");
  WASMQ_CHECK(s.in_stride() >= s.channels && s.out_batch_stride() >= s.channels, "global pool: strides < channels");
  WASMQ_CHECK(b0 <= b1 && b1 <= s.batch, "global pool: batch range outside [0, batch]");
}
}  // namespace pool_detail

namespace {

template <typename T>
void qmaxpool(const PoolShape& s, const T* x, T* y, const QMaxPoolParams& p, size_t r0, size_t r1) {
  dwconv_detail::check_call(s, r0, r1);
  check_clamp<T>(p.qmin, p.qmax, "maxpool output clamp");
  const size_t C = s.channels;
  dwconv_detail::for_each_window(s, x, y, r0, r1, [&](T* out, const T* win, const dwconv_detail::Taps& taps) {
    for (size_t c = 0; c < C; ++c) {
      int32_t m = std::numeric_limits<T>::min();
      for (size_t t = 0; t < taps.count; ++t) m = std::max<int32_t>(m, win[taps.offset[t] + static_cast<ptrdiff_t>(c)]);
      out[c] = static_cast<T>(std::min(std::max(m, p.qmin), p.qmax));
    }
  });
}

template <typename T>
void qavgpool(const PoolShape& s, const T* x, T* y, const QAvgPoolParams& p, size_t r0, size_t r1) {
  dwconv_detail::check_call(s, r0, r1);
  check_code<T>(p.input_zero_point, "avgpool input zero point");
  check_code<T>(p.output_zero_point, "avgpool output zero point");
  check_clamp<T>(p.qmin, p.qmax, "avgpool output clamp");
  const size_t C = s.channels;
  dwconv_detail::for_each_window(s, x, y, r0, r1, [&](T* out, const T* win, const dwconv_detail::Taps& taps) {
    const float scale = qavgpool_scale(p.input_output_ratio, p.count_include_pad ? s.kernel_h * s.kernel_w : taps.count);
    for (size_t c = 0; c < C; ++c) {
      int32_t acc = 0;
      for (size_t t = 0; t < taps.count; ++t)
        acc += static_cast<int32_t>(win[taps.offset[t] + static_cast<ptrdiff_t>(c)]) - p.input_zero_point;
      out[c] = static_cast<T>(requantize_fp32(acc, scale, p.output_zero_point, p.qmin, p.qmax));
    }
  });
}

template <typename T>
void qgavgpool(const GlobalPoolShape& s, const T* x, T* y, const QAvgPoolParams& p, size_t b0, size_t b1) {
  pool_detail::check_global(s, b0, b1);
  check_code<T>(p.input_zero_point, "global avgpool input zero point");
  check_code<T>(p.output_zero_point, "global avgpool output zero point");
  check_clamp<T>(p.qmin, p.qmax, "global avgpool output clamp");
  const float scale = qavgpool_scale(p.input_output_ratio, s.pixels);
  for (size_t b = b0; b < b1; ++b) {
    const T* img = x + b * s.pixels * s.in_stride();
    for (size_t c = 0; c < s.channels; ++c) {
      int32_t acc = 0;
      for (size_t i = 0; i < s.pixels; ++i) acc += static_cast<int32_t>(img[i * s.in_stride() + c]) - p.input_zero_point;
      y[b * s.out_batch_stride() + c] = static_cast<T>(requantize_fp32(acc, scale, p.output_zero_point, p.qmin, p.qmax));
    }
  }
}

inline float fclamp(float v, const F32PoolParams& p) { return pmin_f32(pmax_f32(v, p.min), p.max); }

}  // namespace

void qs8_maxpool_minmax__scalar(const PoolShape& s, const int8_t* x, int8_t* y, const QMaxPoolParams& p, size_t r0, size_t r1) { qmaxpool(s, x, y, p, r0, r1); }
void qu8_maxpool_minmax__scalar(const PoolShape& s, const uint8_t* x, uint8_t* y, const QMaxPoolParams& p, size_t r0, size_t r1) { qmaxpool(s, x, y, p, r0, r1); }
void qs8_avgpool_minmax_fp32__scalar(const PoolShape& s, const int8_t* x, int8_t* y, const QAvgPoolParams& p, size_t r0, size_t r1) { qavgpool(s, x, y, p, r0, r1); }
void qu8_avgpool_minmax_fp32__scalar(const PoolShape& s, const uint8_t* x, uint8_t* y, const QAvgPoolParams& p, size_t r0, size_t r1) { qavgpool(s, x, y, p, r0, r1); }
void qs8_gavgpool_minmax_fp32__scalar(const GlobalPoolShape& s, const int8_t* x, int8_t* y, const QAvgPoolParams& p, size_t b0, size_t b1) { qgavgpool(s, x, y, p, b0, b1); }
void qu8_gavgpool_minmax_fp32__scalar(const GlobalPoolShape& s, const uint8_t* x, uint8_t* y, const QAvgPoolParams& p, size_t b0, size_t b1) { qgavgpool(s, x, y, p, b0, b1); }

void f32_maxpool_minmax__scalar(const PoolShape& s, const float* x, float* y, const F32PoolParams& p, size_t r0,
                                size_t r1) {
  dwconv_detail::check_call(s, r0, r1);
  const size_t C = s.channels;
  dwconv_detail::for_each_window(s, x, y, r0, r1, [&](float* out, const float* win, const dwconv_detail::Taps& taps) {
    for (size_t c = 0; c < C; ++c) {
      float m = -std::numeric_limits<float>::infinity();
      for (size_t t = 0; t < taps.count; ++t) m = pmax_f32(m, win[taps.offset[t] + static_cast<ptrdiff_t>(c)]);
      out[c] = fclamp(m, p);
    }
  });
}

void f32_avgpool_minmax__scalar(const PoolShape& s, const float* x, float* y, const F32PoolParams& p, size_t r0,
                                size_t r1) {
  dwconv_detail::check_call(s, r0, r1);
  const size_t C = s.channels;
  dwconv_detail::for_each_window(s, x, y, r0, r1, [&](float* out, const float* win, const dwconv_detail::Taps& taps) {
    const size_t divisor = p.count_include_pad ? s.kernel_h * s.kernel_w : taps.count;
    const float scale = 1.0f / static_cast<float>(divisor == 0 ? 1 : divisor);
    for (size_t c = 0; c < C; ++c) {
      float acc = 0.0f;
      for (size_t t = 0; t < taps.count; ++t) acc = acc + win[taps.offset[t] + static_cast<ptrdiff_t>(c)];
      out[c] = fclamp(acc * scale, p);
    }
  });
}

void f32_gavgpool_minmax__scalar(const GlobalPoolShape& s, const float* x, float* y, const F32PoolParams& p,
                                 size_t b0, size_t b1) {
  pool_detail::check_global(s, b0, b1);
  const float scale = 1.0f / static_cast<float>(s.pixels);
  for (size_t b = b0; b < b1; ++b) {
    const float* img = x + b * s.pixels * s.in_stride();
    for (size_t c = 0; c < s.channels; ++c) {
      float acc = 0.0f;
      for (size_t i = 0; i < s.pixels; ++i) acc = acc + img[i * s.in_stride() + c];
      y[b * s.out_batch_stride() + c] = fclamp(acc * scale, p);
    }
  }
}

const PoolConfig& pool_config() {
#if defined(WASMQ_HAVE_WASMSIMD)
  static const PoolConfig config = {
      qs8_maxpool_minmax__wasmsimd_c16,      qu8_maxpool_minmax__wasmsimd_c16,      f32_maxpool_minmax__wasmsimd_c16,
      qs8_avgpool_minmax_fp32__wasmsimd_c16, qu8_avgpool_minmax_fp32__wasmsimd_c16, f32_avgpool_minmax__wasmsimd_c16,
      qs8_gavgpool_minmax_fp32__wasmsimd_c16, qu8_gavgpool_minmax_fp32__wasmsimd_c16, f32_gavgpool_minmax__wasmsimd_c16,
  };
#else
  static const PoolConfig config = {
      qs8_maxpool_minmax__scalar,      qu8_maxpool_minmax__scalar,      f32_maxpool_minmax__scalar,
      qs8_avgpool_minmax_fp32__scalar, qu8_avgpool_minmax_fp32__scalar, f32_avgpool_minmax__scalar,
      qs8_gavgpool_minmax_fp32__scalar, qu8_gavgpool_minmax_fp32__scalar, f32_gavgpool_minmax__scalar,
  };
#endif
  return config;
}

}  // namespace wasmq

// Pooling, NHWC: max pool (any kernel/stride/padding/dilation), average pool (count_include_pad on
// or off) and global average pool, for int8, uint8 and float32.
//
// Window geometry is the depthwise convolution's (DwconvShape: kernel, stride, dilation, padding,
// pixel strides); taps are visited in row-major (ky, kx) order and taps in the padding are skipped.
//   max:      y = clamp(max over valid taps) (int8: qmin..qmax; float: min..max). A window with no
//             valid tap yields the type's lowest value (-128, 0, -inf) before the clamp.
//   avg int8: acc = sum over valid taps of (x - x_zp)   (int32, exact)
//             y = requantize_fp32(acc, input_output_ratio / float(divisor), y_zp, qmin, qmax)
//             divisor = kernel_h * kernel_w (count_include_pad) or the number of valid taps (>= 1);
//             input_output_ratio = input_scale / output_scale, in float32.
//   avg f32:  acc = sum of x in tap order; y = clamp(acc * (1.0f / float(divisor))).
//   global:   the same averages over all H*W pixels of an image (divisor = H*W, pixel order).
// Rows [row_begin, row_end) of batch*out_h (global pool: of batch) are computed.
// Memory contract: like depthwise conv, the SIMD kernels read whole vectors of a pixel's channels and
// may read up to 15 bytes (int8) / 12 bytes (float) past the last channel of the last input pixel;
// they never write past the output's channels.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/dwconv/dwconv.h"

namespace wasmq {

using PoolShape = DwconvShape;

struct QMaxPoolParams {
  int32_t qmin;
  int32_t qmax;
};

struct QAvgPoolParams {
  float input_output_ratio;  // input_scale / output_scale
  int32_t input_zero_point;
  int32_t output_zero_point;
  int32_t qmin;
  int32_t qmax;
  bool count_include_pad;
};

struct F32PoolParams {
  float min;
  float max;
  bool count_include_pad;  // average pool only
};

// Global average pool over [batch][pixels][channels] (pixel stride >= channels) -> [batch][channels].
struct GlobalPoolShape {
  size_t batch = 1, pixels = 1, channels = 1;
  size_t in_pixel_stride = 0;  // 0 = channels
  size_t out_stride = 0;       // elements between output images; 0 = channels
  size_t in_stride() const { return in_pixel_stride ? in_pixel_stride : channels; }
  size_t out_batch_stride() const { return out_stride ? out_stride : channels; }
};

QAvgPoolParams make_qavgpool_params(float input_scale, int32_t input_zp, float output_scale, int32_t output_zp,
                                    int32_t qmin, int32_t qmax, bool count_include_pad);

// The requantization scale of an int8 average over `divisor` values (shared by all paths).
inline float qavgpool_scale(float input_output_ratio, size_t divisor) {
  return input_output_ratio / static_cast<float>(divisor == 0 ? 1 : divisor);
}

#define WASMQ_DECLARE_POOL(isa)                                                                                  \
  void qs8_maxpool_minmax__##isa(const PoolShape& s, const int8_t* x, int8_t* y, const QMaxPoolParams& p,         \
                                 size_t row_begin, size_t row_end);                                              \
  void qu8_maxpool_minmax__##isa(const PoolShape& s, const uint8_t* x, uint8_t* y, const QMaxPoolParams& p,      \
                                 size_t row_begin, size_t row_end);                                              \
  void f32_maxpool_minmax__##isa(const PoolShape& s, const float* x, float* y, const F32PoolParams& p,            \
                                 size_t row_begin, size_t row_end);                                              \
  void qs8_avgpool_minmax_fp32__##isa(const PoolShape& s, const int8_t* x, int8_t* y, const QAvgPoolParams& p,   \
                                      size_t row_begin, size_t row_end);                                         \
  void qu8_avgpool_minmax_fp32__##isa(const PoolShape& s, const uint8_t* x, uint8_t* y, const QAvgPoolParams& p, \
                                      size_t row_begin, size_t row_end);                                         \
  void f32_avgpool_minmax__##isa(const PoolShape& s, const float* x, float* y, const F32PoolParams& p,            \
                                 size_t row_begin, size_t row_end);                                              \
  void qs8_gavgpool_minmax_fp32__##isa(const GlobalPoolShape& s, const int8_t* x, int8_t* y,                     \
                                       const QAvgPoolParams& p, size_t batch_begin, size_t batch_end);           \
  void qu8_gavgpool_minmax_fp32__##isa(const GlobalPoolShape& s, const uint8_t* x, uint8_t* y,                   \
                                       const QAvgPoolParams& p, size_t batch_begin, size_t batch_end);           \
  void f32_gavgpool_minmax__##isa(const GlobalPoolShape& s, const float* x, float* y, const F32PoolParams& p,      \
                                  size_t batch_begin, size_t batch_end);

WASMQ_DECLARE_POOL(scalar)
#if defined(WASMQ_HAVE_WASMSIMD)
WASMQ_DECLARE_POOL(wasmsimd_c16)
#endif
#undef WASMQ_DECLARE_POOL

typedef void (*qs8_maxpool_fn)(const PoolShape&, const int8_t*, int8_t*, const QMaxPoolParams&, size_t, size_t);
typedef void (*qu8_maxpool_fn)(const PoolShape&, const uint8_t*, uint8_t*, const QMaxPoolParams&, size_t, size_t);
typedef void (*f32_pool_fn)(const PoolShape&, const float*, float*, const F32PoolParams&, size_t, size_t);
typedef void (*qs8_avgpool_fn)(const PoolShape&, const int8_t*, int8_t*, const QAvgPoolParams&, size_t, size_t);
typedef void (*qu8_avgpool_fn)(const PoolShape&, const uint8_t*, uint8_t*, const QAvgPoolParams&, size_t, size_t);
typedef void (*qs8_gavgpool_fn)(const GlobalPoolShape&, const int8_t*, int8_t*, const QAvgPoolParams&, size_t, size_t);
typedef void (*qu8_gavgpool_fn)(const GlobalPoolShape&, const uint8_t*, uint8_t*, const QAvgPoolParams&, size_t,
                                size_t);
typedef void (*f32_gavgpool_fn)(const GlobalPoolShape&, const float*, float*, const F32PoolParams&, size_t, size_t);

struct PoolConfig {
  qs8_maxpool_fn qs8_max;
  qu8_maxpool_fn qu8_max;
  f32_pool_fn f32_max;
  qs8_avgpool_fn qs8_avg;
  qu8_avgpool_fn qu8_avg;
  f32_pool_fn f32_avg;
  qs8_gavgpool_fn qs8_gavg;
  qu8_gavgpool_fn qu8_gavg;
  f32_gavgpool_fn f32_gavg;
};
const PoolConfig& pool_config();

namespace pool_detail {
void check_global(const GlobalPoolShape& s, size_t b0, size_t b1);
}

}  // namespace wasmq

// Depthwise 2-D convolution, NHWC, channel multiplier 1: int8/uint8 activations with int8
// per-channel weights and fp32 requantization, int16-activation variants of it (A16W8, see below),
// and float32 with bias and min/max clamp.
//
// Weights are [KH][KW][C] (channels last), bias [C]. Kernels run on a PACKED copy made once by
// *_dwconv_pack(): blocks of 16 channels, each block = 16 biases, (int8 only) 16 requantization
// scales, then KH*KW taps of 16 weights, zero-filled past C. The scalar kernel reads the same
// packed data (int8 weights widened to int16; it is the fallback and the oracle the SIMD kernel must equal bit for bit); tests
// also check it against a plain loop over the unpacked weights.
//
// Output pixel (oy, ox), channel c, taps (ky, kx) in row-major order, skipping taps that fall in the
// padding (iy = oy*stride_h - pad_top + ky*dilation_h outside [0, in_h), same for x):
//   int8:  acc = bias[c] + sum (x - x_zero_point) * w;  y = requantize_fp32(acc, scale[c], y_zp, qmin, qmax)
//          with scale[c] = input_scale * weight_scale[c] / output_scale (float32, computed in that order).
//   float: acc = bias[c]; acc = acc + x * w for every valid tap (no FMA); y = min(max(acc, min), max).
// Rows [row_begin, row_end) of the batch*out_h output rows are computed (thread-pool splittable).
//
// Memory contract: the SIMD kernels read whole 16-byte vectors of a pixel's channels, so they may
// read up to 15 bytes (int8) / 12 bytes (float: groups of 4) past the last channel of the last input
// pixel: allocate 16 bytes of padding after the input. They never write past the output's channels.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace wasmq {

struct DwconvShape {
  size_t batch = 1, in_h = 1, in_w = 1, channels = 1;
  size_t kernel_h = 1, kernel_w = 1;
  size_t stride_h = 1, stride_w = 1;
  size_t dilation_h = 1, dilation_w = 1;
  size_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  size_t in_pixel_stride = 0;   // elements between input pixels; 0 = channels
  size_t out_pixel_stride = 0;  // elements between output pixels; 0 = channels
  size_t out_h() const;
  size_t out_w() const;
  size_t in_stride() const { return in_pixel_stride ? in_pixel_stride : channels; }
  size_t out_stride() const { return out_pixel_stride ? out_pixel_stride : channels; }
  void validate() const;  // throws wasmq::Error with the reason
};

constexpr size_t kDwconvChannelTile = 16;

struct QDwconvParams {
  int32_t input_zero_point;
  int32_t output_zero_point;
  int32_t qmin;
  int32_t qmax;
};

struct F32DwconvParams {
  float min;
  float max;
};

// Packed weights (see above). requant_scales[c] = input_scale * weight_scale[c] / output_scale.
std::vector<uint8_t> qs8_dwconv_pack(const DwconvShape& s, const int8_t* weights, const int32_t* bias,
                                     const float* requant_scales);
std::vector<uint8_t> f32_dwconv_pack(const DwconvShape& s, const float* weights, const float* bias);
// The requantization scales, computed the one documented way.
std::vector<float> dwconv_requant_scales(float input_scale, const float* weight_scales, size_t channels,
                                         float output_scale);

typedef void (*qs8_dwconv_fn)(const DwconvShape& s, const int8_t* input, const uint8_t* packed, int8_t* output,
                              const QDwconvParams& p, size_t row_begin, size_t row_end);
// uint8 activations (zero point 0..255), int8 weights.
typedef void (*qu8_dwconv_fn)(const DwconvShape& s, const uint8_t* input, const uint8_t* packed, uint8_t* output,
                              const QDwconvParams& p, size_t row_begin, size_t row_end);
typedef void (*f32_dwconv_fn)(const DwconvShape& s, const float* input, const uint8_t* packed, float* output,
                              const F32DwconvParams& p, size_t row_begin, size_t row_end);

void qs8_dwconv_minmax_fp32__scalar(const DwconvShape& s, const int8_t* input, const uint8_t* packed, int8_t* output,
                                    const QDwconvParams& p, size_t row_begin, size_t row_end);
void qu8_dwconv_minmax_fp32__scalar(const DwconvShape& s, const uint8_t* input, const uint8_t* packed,
                                    uint8_t* output, const QDwconvParams& p, size_t row_begin, size_t row_end);
void f32_dwconv_minmax__scalar(const DwconvShape& s, const float* input, const uint8_t* packed, float* output,
                               const F32DwconvParams& p, size_t row_begin, size_t row_end);
#if defined(WASMQ_HAVE_WASMSIMD)
void qs8_dwconv_minmax_fp32__wasmsimd_c16(const DwconvShape& s, const int8_t* input, const uint8_t* packed,
                                          int8_t* output, const QDwconvParams& p, size_t row_begin, size_t row_end);
void qu8_dwconv_minmax_fp32__wasmsimd_c16(const DwconvShape& s, const uint8_t* input, const uint8_t* packed,
                                          uint8_t* output, const QDwconvParams& p, size_t row_begin, size_t row_end);
void f32_dwconv_minmax__wasmsimd_c16(const DwconvShape& s, const float* input, const uint8_t* packed, float* output,
                                     const F32DwconvParams& p, size_t row_begin, size_t row_end);
#endif

struct DwconvConfig {
  qs8_dwconv_fn qs8;
  qu8_dwconv_fn qu8;
  f32_dwconv_fn f32;
};
const DwconvConfig& dwconv_config();

// ---- int16 activations (A16W8 mixed precision) ----
// Same packing (qs8_dwconv_pack), same math as qs8:
//   acc = bias[c] + sum (x - x_zero_point) * w over valid taps (wrapping int32);
//   y = requantize_fp32(acc, scale[c], y_zp, qmin, qmax)
// Names: qs8_qs16_ = int8 in -> int16 out; qs16_qs8_ = int16 in -> int8 out; qs16_ = int16 in -> int16 out.
// Parameters: int16 INPUT requires input_zero_point == 0 (every qs16-input kernel, scalar included,
// throws wasmq::Error otherwise: x - zp would not fit the 16-bit SIMD lanes); int8 input takes any
// zero point in [-128, 127]. Output zero point and qmin/qmax must lie in the output type's range:
// for int16 output pass e.g. -32768..32767, or qmin = zero point for a fused ReLU.
// Exactness: the kernels wrap in int32 like the scalar reference, but requantize_fp32 of a wrapped
// sum is meaningless; use dwconv_sums_fit_int32() to check a layer cannot overflow.
// Memory contract: the int16-input SIMD kernels read whole 16-channel blocks, so they may read up to
// 15 elements (30 bytes) past the last channel of the last input pixel (callers allocate that
// padding); the int8-input ones 15 bytes, as the qs8 kernel. Outputs: never written past each output
// pixel's channels. in_pixel_stride / out_pixel_stride are in elements, as for qs8.
typedef void (*qs8_qs16_dwconv_fn)(const DwconvShape& s, const int8_t* input, const uint8_t* packed, int16_t* output,
                                   const QDwconvParams& p, size_t row_begin, size_t row_end);
typedef void (*qs16_qs8_dwconv_fn)(const DwconvShape& s, const int16_t* input, const uint8_t* packed, int8_t* output,
                                   const QDwconvParams& p, size_t row_begin, size_t row_end);
typedef void (*qs16_dwconv_fn)(const DwconvShape& s, const int16_t* input, const uint8_t* packed, int16_t* output,
                               const QDwconvParams& p, size_t row_begin, size_t row_end);

void qs8_qs16_dwconv_minmax_fp32__scalar(const DwconvShape& s, const int8_t* input, const uint8_t* packed,
                                         int16_t* output, const QDwconvParams& p, size_t row_begin, size_t row_end);
void qs16_qs8_dwconv_minmax_fp32__scalar(const DwconvShape& s, const int16_t* input, const uint8_t* packed,
                                         int8_t* output, const QDwconvParams& p, size_t row_begin, size_t row_end);
void qs16_dwconv_minmax_fp32__scalar(const DwconvShape& s, const int16_t* input, const uint8_t* packed,
                                     int16_t* output, const QDwconvParams& p, size_t row_begin, size_t row_end);
#if defined(WASMQ_HAVE_WASMSIMD)
void qs8_qs16_dwconv_minmax_fp32__wasmsimd_c16(const DwconvShape& s, const int8_t* input, const uint8_t* packed,
                                               int16_t* output, const QDwconvParams& p, size_t row_begin,
                                               size_t row_end);
void qs16_qs8_dwconv_minmax_fp32__wasmsimd_c16(const DwconvShape& s, const int16_t* input, const uint8_t* packed,
                                               int8_t* output, const QDwconvParams& p, size_t row_begin,
                                               size_t row_end);
void qs16_dwconv_minmax_fp32__wasmsimd_c16(const DwconvShape& s, const int16_t* input, const uint8_t* packed,
                                           int16_t* output, const QDwconvParams& p, size_t row_begin, size_t row_end);
#endif

// Defines a named 8/16-bit depthwise kernel as an instantiation of a file's qdwconv<TIn, TOut> template.
#define WASMQ_DEFINE_QDWCONV(name, TIn, TOut)                                                        \
  void name(const DwconvShape& s, const TIn* input, const uint8_t* packed, TOut* output, const QDwconvParams& p, \
            size_t r0, size_t r1) {                                                                     \
    qdwconv(s, input, packed, output, p, r0, r1);                                                       \
  }

struct Dwconv16Config {
  qs8_qs16_dwconv_fn qs8_qs16;
  qs16_qs8_dwconv_fn qs16_qs8;
  qs16_dwconv_fn qs16;
};
const Dwconv16Config& dwconv16_config();

// int32 overflow guard: true when for every channel c, max_abs_x * sum_taps |w[c]| + |bias[c]| < 2^31
// (int64 math), weights [KH][KW][C] as qs8_dwconv_pack takes them, bias may be null (0).
// max_abs_x bounds |x - x_zero_point| (int16 input, zero point 0: 32768; int8 input: max(zp + 128, 127 - zp)).
bool dwconv_sums_fit_int32(const DwconvShape& s, const int8_t* weights, const int32_t* bias, int64_t max_abs_x);

// ---- shared by the kernels (not API) ----
namespace dwconv_detail {
// Byte sizes of one packed 16-channel block.
// int8 weights are stored widened to int16 (saves two extends per tap in the SIMD loop).
inline size_t qs8_block_bytes(const DwconvShape& s) { return 16 * 4 + 16 * 4 + s.kernel_h * s.kernel_w * 16 * 2; }
inline size_t f32_block_bytes(const DwconvShape& s) { return (16 + s.kernel_h * s.kernel_w * 16) * 4; }
// Valid taps of one output pixel, as input element offsets from `base` (relative to the image) and
// tap indices (ky * kernel_w + kx), row-major. Interior pixels (every tap inside the image) reuse one
// precomputed list with base = the window origin; border pixels get a filtered list with base 0.
struct Taps {
  const ptrdiff_t* offset = nullptr;
  const uint32_t* tap = nullptr;
  ptrdiff_t base = 0;
  size_t count = 0;

  explicit Taps(const DwconvShape& s)
      : full_offset_(s.kernel_h * s.kernel_w), border_offset_(s.kernel_h * s.kernel_w),
        full_tap_(s.kernel_h * s.kernel_w), border_tap_(s.kernel_h * s.kernel_w) {
    for (size_t ky = 0; ky < s.kernel_h; ++ky) {
      for (size_t kx = 0; kx < s.kernel_w; ++kx) {
        const size_t t = ky * s.kernel_w + kx;
        full_offset_[t] = static_cast<ptrdiff_t>((ky * s.dilation_h * s.in_w + kx * s.dilation_w) * s.in_stride());
        full_tap_[t] = static_cast<uint32_t>(t);
      }
    }
  }

  void collect(const DwconvShape& s, size_t oy, size_t ox) {
    const ptrdiff_t iy0 = static_cast<ptrdiff_t>(oy * s.stride_h) - static_cast<ptrdiff_t>(s.pad_top);
    const ptrdiff_t ix0 = static_cast<ptrdiff_t>(ox * s.stride_w) - static_cast<ptrdiff_t>(s.pad_left);
    const ptrdiff_t ih = static_cast<ptrdiff_t>(s.in_h), iw = static_cast<ptrdiff_t>(s.in_w);
    if (iy0 >= 0 && ix0 >= 0 && iy0 + static_cast<ptrdiff_t>((s.kernel_h - 1) * s.dilation_h) < ih &&
        ix0 + static_cast<ptrdiff_t>((s.kernel_w - 1) * s.dilation_w) < iw) {
      offset = full_offset_.data();
      tap = full_tap_.data();
      count = full_offset_.size();
      base = (iy0 * iw + ix0) * static_cast<ptrdiff_t>(s.in_stride());
      return;
    }
    count = 0;
    for (size_t ky = 0; ky < s.kernel_h; ++ky) {
      const ptrdiff_t iy = iy0 + static_cast<ptrdiff_t>(ky * s.dilation_h);
      if (iy < 0 || iy >= ih) continue;
      for (size_t kx = 0; kx < s.kernel_w; ++kx) {
        const ptrdiff_t ix = ix0 + static_cast<ptrdiff_t>(kx * s.dilation_w);
        if (ix < 0 || ix >= iw) continue;
        border_offset_[count] = (iy * iw + ix) * static_cast<ptrdiff_t>(s.in_stride());
        border_tap_[count] = static_cast<uint32_t>(ky * s.kernel_w + kx);
        ++count;
      }
    }
    offset = border_offset_.data();
    tap = border_tap_.data();
    base = 0;
  }

 private:
  std::vector<ptrdiff_t> full_offset_, border_offset_;
  std::vector<uint32_t> full_tap_, border_tap_;
};
// Walks the output pixels of rows [r0, r1) (row = batch * out_h + oy) and calls
// fn(out, win, taps): out is the pixel's output channels, win the window base in the input image,
// taps its in-bounds taps. The reference kernels (depthwise conv, pooling) share this walk.
template <typename TIn, typename TOut, typename Fn>
void for_each_window(const DwconvShape& s, const TIn* x, TOut* y, size_t r0, size_t r1, Fn&& fn) {
  const size_t oh = s.out_h(), ow = s.out_w();
  Taps taps(s);
  for (size_t row = r0; row < r1; ++row) {
    const TIn* img = x + (row / oh) * s.in_h * s.in_w * s.in_stride();
    TOut* out = y + row * ow * s.out_stride();
    for (size_t ox = 0; ox < ow; ++ox, out += s.out_stride()) {
      taps.collect(s, row % oh, ox);
      fn(out, img + taps.base, static_cast<const Taps&>(taps));
    }
  }
}
void check_call(const DwconvShape& s, size_t row_begin, size_t row_end);
}  // namespace dwconv_detail

}  // namespace wasmq

// 2-D convolution, NHWC, int8 (qs8/qu8 activations, int8 weights) and float32, any stride, padding,
// dilation and groups (depthwise is kernels/dwconv), lowered onto the GEMM microkernels.
//
// Layouts: input [N][H][W][C], output [N][OH][OW][O], weights [O][KH][KW][C / groups] (for
// output channel o of group g = o / (O / groups), the KH*KW*(C/groups) weights are contiguous:
// exactly the [N][K] matrix the GEMM packing takes, so weights pack without a transpose).
// NHWC (channels last) makes a 1x1 convolution a plain GEMM over pixels (A = the input itself,
// row stride = stride_w * C), keeps the K dimension of im2col rows contiguous per tap, and is the
// layout XNNPACK (and tfjs-wasm, TFLite) use.
//
// Lowering: 1x1 with no padding (any stride, any groups): the GEMM reads the input directly, one
// call per output row. Everything else: im2col into a caller-provided scratch buffer (row per
// output pixel, K = KH*KW*C/groups, taps outside the input filled with the input zero point for
// int8, 0.0f for float), then the GEMM. Groups run one after another over the same scratch.
// Memory contract: int8 convolutions may read up to 7 bytes past the end of the input tensor
// (the GEMM's K-block over-read on the direct 1x1 path): allocate the input with 8 spare bytes.
// Float convolutions read nothing past the input. Outputs are written exactly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "kernels/f32-gemm/f32-gemm.h"
#include "kernels/qs8-gemm/qs8-gemm.h"

namespace wasmq {

struct ConvShape {
  size_t batch = 1, in_h = 1, in_w = 1, in_c = 1, out_c = 1;
  size_t kernel_h = 1, kernel_w = 1, stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1;
  size_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  size_t groups = 1;

  size_t out_h() const { return (in_h + pad_top + pad_bottom - dilation_h * (kernel_h - 1) - 1) / stride_h + 1; }
  size_t out_w() const { return (in_w + pad_left + pad_right - dilation_w * (kernel_w - 1) - 1) / stride_w + 1; }
  size_t group_in() const { return in_c / groups; }
  size_t group_out() const { return out_c / groups; }
  size_t k() const { return kernel_h * kernel_w * group_in(); }  // GEMM depth
  size_t pixels() const { return batch * out_h() * out_w(); }    // GEMM rows
  bool direct_1x1() const {
    return kernel_h == 1 && kernel_w == 1 && pad_top == 0 && pad_left == 0 && pad_bottom == 0 && pad_right == 0;
  }
  void validate() const;  // throws wasmq::Error with what is wrong
};

// im2col of one group: rows [pixel][k] with row stride `row_stride` (>= k), taps in (ky, kx, c) order.
template <typename T>
void im2col_nhwc(const ConvShape& s, size_t group, const T* input, T pad_value, T* rows, size_t row_stride);
// The same rows for output pixels [p0, p0 + pn) only (flat over batch x out_h x out_w; row 0 of `rows`
// is pixel p0), int8/uint8, with [k, row_stride) set to zero. When the KW taps of a kernel row are
// adjacent (one group, no horizontal dilation) and inside the input they are one copy, and a span of
// <= 16 bytes (an RGB stem's 3x3: 9) is copied as a fixed 16-byte block (the extra bytes land in the
// next kernel row, or past k where they are zeroed). Memory contract: reads up to 16 bytes past the
// end of the input and writes up to 16 bytes past the end of the last row: allocate both with 16
// spare bytes.
template <typename T>
void im2col_nhwc_rows(const ConvShape& s, size_t group, const T* input, T pad_value, T* rows, size_t row_stride,
                      size_t p0, size_t pn);

// Quantized convolution with activations TA (int8_t: qs8, uint8_t: qu8) and output of the same type.
// Owns the packed weights (per group) and the per-output-channel requantization scales.
template <typename TA>
class QConv2d {
 public:
  struct Quant {
    float in_scale;
    int32_t in_zero_point;
    const float* w_scale;  // [out_c] (per channel) or [1] (per tensor)
    bool w_per_channel;
    float out_scale;
    int32_t out_zero_point;
    int32_t qmin, qmax;  // output clamp (ReLU: qmin = out_zero_point)
  };
  QConv2d(const ConvShape& s, const int8_t* weights, const int32_t* bias, const Quant& q);
  size_t scratch_size() const;  // bytes (0 for the direct 1x1 path)
  void run(const TA* input, TA* output, void* scratch) const;
  const ConvShape& shape() const { return s_; }

 private:
  ConvShape s_;
  std::vector<uint8_t> packed_;
  std::vector<float> scale_;
  int32_t in_zp_;
  QGemmParams params_;
  size_t group_bytes_;
};

typedef QConv2d<int8_t> Qs8Conv2d;
typedef QConv2d<uint8_t> Qu8Conv2d;

class F32Conv2d {
 public:
  F32Conv2d(const ConvShape& s, const float* weights, const float* bias, float fmin, float fmax);
  size_t scratch_size() const;  // bytes
  void run(const float* input, float* output, void* scratch) const;
  const ConvShape& shape() const { return s_; }

 private:
  ConvShape s_;
  std::vector<float> packed_;
  F32GemmParams params_;
  size_t group_floats_;
};

}  // namespace wasmq

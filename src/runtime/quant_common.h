// Helpers shared by the quantized runtime ops (ops_quant*.cc): reading scale/zero-point tensors,
// int8 GEMM with weight zero points folded in exactly, and NCHW<->NHWC transposes.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "kernels/conv/conv.h"
#include "kernels/dwconv/dwconv.h"
#include "kernels/qs8-gemm/qs8-gemm.h"
#include "kernels/requant/requant.h"
#include "runtime/op.h"

namespace wasmq::rt::quant {

using onnx::is_q8;
inline int32_t qmin_of(ElemType t) { return t == ElemType::kInt8 ? -128 : t == ElemType::kInt16 ? -32768 : 0; }
inline int32_t qmax_of(ElemType t) { return t == ElemType::kInt8 ? 127 : t == ElemType::kInt16 ? 32767 : 255; }

// Reads a float scale tensor (must be known or present at run time) into `out`.
void read_scales(const Op& op, const Tensor* t, const char* what, std::vector<float>& out);
// Reads a zero-point tensor (int8/uint8/int32) into `out`; null tensor gives {0}.
void read_zero_points(const Op& op, const Tensor* t, const char* what, std::vector<int32_t>& out);
// Checks a per-tensor (numel 1) or per-channel (numel n, rank <= 1) parameter; returns true if per-channel.
bool check_param_size(const Op& op, size_t numel, size_t rank, size_t n, const char* what);

// An 8-bit matrix B[K][N] (or W[N][K]) packed once for the int8 GEMM with any 8-bit type and any
// per-tensor/per-column zero point, exactly: the GEMM runs on W' = W - off (off = 128 for uint8,
// 0 for int8; W' is int8), and column n gets the correction c[n] * sum_k (A[m][k] - a_zp), with
// c[n] = off - w_zp[n] (zero in the common cases: int8 weights with zero point 0, uint8 weights with
// zero point 128).
struct PackedQ8Weights {
  size_t n = 0, k = 0;
  std::vector<uint8_t> packed;   // qgemm_config().packw layout
  std::vector<int32_t> corr;     // [n]
  std::vector<int8_t> staging;   // W' before packing (kept for its capacity)
  bool needs_corr = false;
  // w(n, k) at w[n * n_stride + k * k_stride]; bias [n] or null.
  void pack(size_t n_, size_t k_, const void* w, bool w_unsigned, size_t n_stride, size_t k_stride,
            const int32_t* w_zp, bool w_zp_per_col, const int32_t* bias);
};

// Runs the acc32 GEMM for rows [0, m) of A (row stride a_stride, which must be >= k; the last rows,
// at least 16 bytes of them, are copied to a padded buffer so the kernel's over-read of up to 15
// bytes stays inside A, whatever k), adding the zero-point
// correction: C[m][n] (int32, row stride c_stride) = sum_k (A - a_zp) * (W - w_zp) + bias.
void gemm_acc32(const PackedQ8Weights& w, size_t m, const void* a, bool a_unsigned, size_t a_stride,
                const int32_t* a_zp, size_t a_zp_stride, int32_t* c, size_t c_stride, std::vector<uint8_t>& pad_row);

// Requantizing GEMM straight into 8-bit output of the activation's own type when no correction is
// needed (w.needs_corr false): scale[n] per column.
void gemm_minmax(const PackedQ8Weights& w, size_t m, const void* a, bool a_unsigned, size_t a_stride, int32_t a_zp,
                 const float* scale, int32_t y_zp, int32_t qmin, int32_t qmax, void* c, size_t c_stride,
                 std::vector<uint8_t>& pad_row);

// The depthwise kernels' shape of a depthwise convolution (groups == in_c == out_c), validated.
DwconvShape depthwise_shape(const ConvShape& s);
// QLinearConv weights [O][Cg][KH][KW] (8-bit, either type, byte for byte) -> [O][KH][KW][Cg], the
// im2col tap order the GEMM packing takes (out: s.out_c * s.k() bytes).
void conv_weights_tap_order(const ConvShape& s, const uint8_t* w, uint8_t* out);
// Depthwise weights [C][1][KH][KW] -> [KH][KW][C] int8 (uint8 weights offset by -128), what
// qs8_dwconv_pack takes.
std::vector<int8_t> depthwise_weights(const ConvShape& s, const uint8_t* w, bool w_unsigned);

// The GEMM a QLinearConv group of gout output channels and depth k runs on: 16 or 8 when the
// column-blocked kernels (qgemm_col_config, qgemm_col16_config) are estimated cheaper than the MRx4c8
// tiles, else 0. *col_main: the columns in blocks of that width; the rest (<= 8, when 16) go to one
// 8-column block of their own packing.
size_t qconv_col_block(size_t gout, size_t k, size_t* col_main);

// Byte matrix transpose in 8x8 tiles: src rows x cols (row stride rs) -> dst cols x rows (row stride ds).
void transpose_u8(const uint8_t* src, size_t rows, size_t cols, size_t rs, uint8_t* dst, size_t ds);
// NCHW [n][c][hw] <-> NHWC [n][hw][c], 8-bit (tiles) or any element type (plain loop).
void nchw_to_nhwc(const uint8_t* x, size_t n, size_t c, size_t hw, uint8_t* y);
void nhwc_to_nchw(const uint8_t* x, size_t n, size_t c, size_t hw, uint8_t* y);
template <typename T>
void nhwc_to_nchw(const T* x, size_t n, size_t c, size_t hw, T* y) {
  for (size_t b = 0; b < n; ++b) {
    const T* xb = x + b * c * hw;
    T* yb = y + b * c * hw;
    for (size_t p = 0; p < hw; ++p) {
      const T* xp = xb + p * c;
      for (size_t ch = 0; ch < c; ++ch) yb[ch * hw + p] = xp[ch];
    }
  }
}
template <typename T>
void nchw_to_nhwc(const T* x, size_t n, size_t c, size_t hw, T* y) {
  for (size_t b = 0; b < n; ++b) {
    const T* xb = x + b * c * hw;
    T* yb = y + b * c * hw;
    for (size_t ch = 0; ch < c; ++ch) {
      const T* xc = xb + ch * hw;
      for (size_t p = 0; p < hw; ++p) yb[p * c + ch] = xc[p];
    }
  }
}

}  // namespace wasmq::rt::quant

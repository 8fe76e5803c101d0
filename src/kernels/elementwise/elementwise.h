// Elementwise binary kernels: int8/uint8 add and mul with requantization (also int8 in -> int16
// out, qs8_qs16, for A16W8 graphs), float32 add/sub/mul/div/max/min with a fused clamp, and a
// broadcasting driver (full, per-channel = last dim, scalar).
//
// Names: <dtype>_v<op>[c]_minmax[_fp32]__<isa>_<tile>. "c" variants take b as ONE constant value;
// "r" variants (vrsubc, vrdivc) compute b - a and b / a for a scalar a on the left.
// Memory contract: these kernels read exactly n elements of each input (no over-read, no
// over-write): SIMD loops run over whole vectors and the tail is done by the scalar reference.
//
// int8 add, the accumulator form (docs/kernels-nn.md):
//   acc = (a - za) * ma + (b - zb) * mb                      (int32, exact)
//   ma = round(2^14 * sa / max(sa, sb)), mb = round(2^14 * sb / max(sa, sb))   (<= 2^14)
//   y  = requantize_fp32(acc, max(sa, sb) / (sy * 2^14), zy, qmin, qmax)
// |acc| <= 2 * 255 * 2^14 < 2^24, so float(acc) is exact and the only roundings are the
// multipliers (<= 2^-15 relative to the larger input scale) and requantize_fp32 itself.
// int8 mul: acc = (a - za) * (b - zb); y = requantize_fp32(acc, sa * sb / sy, zy, qmin, qmax).
// qs8_qs16 (int8 inputs, int16 output): the same accumulators, multipliers and requantize_fp32;
// only zy and [qmin, qmax] range over int16. requantize_fp32 stays exact since after its clamp
// |v| <= 65535 < 2^22. Only the smaller-scale add multiplier is rounded (the larger is 2^14): up to
// 255 * 2^-15 * max(sa, sb) / sy output codes, ~1 int16 code when the sum spans the int16 range.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/requant/requant.h"

namespace wasmq {

constexpr int kQAddShift = 14;

struct QAddParams {
  int32_t a_zero_point;
  int32_t b_zero_point;
  int32_t a_multiplier;  // Q14, in [0, 2^14]
  int32_t b_multiplier;  // Q14, in [0, 2^14]
  RequantParams requant;
};

struct QMulParams {
  int32_t a_zero_point;
  int32_t b_zero_point;
  RequantParams requant;
};

struct F32MinMaxParams {
  float min;
  float max;
};

// Parameter builders; qmin/qmax narrow the output range (fused ReLU/ReLU6 clamps).
// Throw wasmq::Error on non-positive / non-finite scales or zero points outside the code range.
QAddParams make_qs8_add_params(float a_scale, int32_t a_zp, float b_scale, int32_t b_zp, float y_scale,
                               int32_t y_zp, int32_t qmin = -128, int32_t qmax = 127);
QAddParams make_qu8_add_params(float a_scale, int32_t a_zp, float b_scale, int32_t b_zp, float y_scale,
                               int32_t y_zp, int32_t qmin = 0, int32_t qmax = 255);
QMulParams make_qs8_mul_params(float a_scale, int32_t a_zp, float b_scale, int32_t b_zp, float y_scale,
                               int32_t y_zp, int32_t qmin = -128, int32_t qmax = 127);
QMulParams make_qu8_mul_params(float a_scale, int32_t a_zp, float b_scale, int32_t b_zp, float y_scale,
                               int32_t y_zp, int32_t qmin = 0, int32_t qmax = 255);
// int8 inputs, int16 output (y_zp and the clamp within -32768..32767).
QAddParams make_qs8_qs16_add_params(float a_scale, int32_t a_zp, float b_scale, int32_t b_zp, float y_scale,
                                    int32_t y_zp, int32_t qmin = -32768, int32_t qmax = 32767);
QMulParams make_qs8_qs16_mul_params(float a_scale, int32_t a_zp, float b_scale, int32_t b_zp, float y_scale,
                                    int32_t y_zp, int32_t qmin = -32768, int32_t qmax = 32767);
// The same parameters with a and b exchanged (used to put a scalar operand on the right).
QAddParams swap_operands(const QAddParams& p);
QMulParams swap_operands(const QMulParams& p);

typedef void (*qs8_vadd_fn)(size_t n, const int8_t* a, const int8_t* b, int8_t* y, const QAddParams& p);
typedef void (*qu8_vadd_fn)(size_t n, const uint8_t* a, const uint8_t* b, uint8_t* y, const QAddParams& p);
typedef void (*qs8_vmul_fn)(size_t n, const int8_t* a, const int8_t* b, int8_t* y, const QMulParams& p);
typedef void (*qu8_vmul_fn)(size_t n, const uint8_t* a, const uint8_t* b, uint8_t* y, const QMulParams& p);
typedef void (*qs8_qs16_vadd_fn)(size_t n, const int8_t* a, const int8_t* b, int16_t* y, const QAddParams& p);
typedef void (*qs8_qs16_vmul_fn)(size_t n, const int8_t* a, const int8_t* b, int16_t* y, const QMulParams& p);
typedef void (*f32_vbinary_fn)(size_t n, const float* a, const float* b, float* y, const F32MinMaxParams& p);

#define WASMQ_DECLARE_QBINARY(isa)                                                                        \
  void qs8_vadd_minmax__##isa(size_t n, const int8_t* a, const int8_t* b, int8_t* y, const QAddParams& p);   \
  void qs8_vaddc_minmax__##isa(size_t n, const int8_t* a, const int8_t* b, int8_t* y, const QAddParams& p);  \
  void qu8_vadd_minmax__##isa(size_t n, const uint8_t* a, const uint8_t* b, uint8_t* y, const QAddParams& p); \
  void qu8_vaddc_minmax__##isa(size_t n, const uint8_t* a, const uint8_t* b, uint8_t* y, const QAddParams& p); \
  void qs8_vmul_minmax_fp32__##isa(size_t n, const int8_t* a, const int8_t* b, int8_t* y, const QMulParams& p); \
  void qs8_vmulc_minmax_fp32__##isa(size_t n, const int8_t* a, const int8_t* b, int8_t* y, const QMulParams& p); \
  void qu8_vmul_minmax_fp32__##isa(size_t n, const uint8_t* a, const uint8_t* b, uint8_t* y,                 \
                                   const QMulParams& p);                                                   \
  void qu8_vmulc_minmax_fp32__##isa(size_t n, const uint8_t* a, const uint8_t* b, uint8_t* y,                \
                                    const QMulParams& p);                                                   \
  void qs8_qs16_vadd_minmax__##isa(size_t n, const int8_t* a, const int8_t* b, int16_t* y, const QAddParams& p); \
  void qs8_qs16_vaddc_minmax__##isa(size_t n, const int8_t* a, const int8_t* b, int16_t* y, const QAddParams& p); \
  void qs8_qs16_vmul_minmax_fp32__##isa(size_t n, const int8_t* a, const int8_t* b, int16_t* y,            \
                                        const QMulParams& p);                                              \
  void qs8_qs16_vmulc_minmax_fp32__##isa(size_t n, const int8_t* a, const int8_t* b, int16_t* y,           \
                                         const QMulParams& p);

#define WASMQ_DECLARE_FBINARY(isa, op) \
  void f32_##op##_minmax__##isa(size_t n, const float* a, const float* b, float* y, const F32MinMaxParams& p);

#define WASMQ_DECLARE_FBINARY_ALL(isa)                                                                      \
  WASMQ_DECLARE_FBINARY(isa, vadd) WASMQ_DECLARE_FBINARY(isa, vaddc) WASMQ_DECLARE_FBINARY(isa, vsub)      \
  WASMQ_DECLARE_FBINARY(isa, vsubc) WASMQ_DECLARE_FBINARY(isa, vrsubc) WASMQ_DECLARE_FBINARY(isa, vmul)    \
  WASMQ_DECLARE_FBINARY(isa, vmulc) WASMQ_DECLARE_FBINARY(isa, vdiv) WASMQ_DECLARE_FBINARY(isa, vdivc)     \
  WASMQ_DECLARE_FBINARY(isa, vrdivc) WASMQ_DECLARE_FBINARY(isa, vmax) WASMQ_DECLARE_FBINARY(isa, vmaxc)    \
  WASMQ_DECLARE_FBINARY(isa, vmin) WASMQ_DECLARE_FBINARY(isa, vminc)

WASMQ_DECLARE_QBINARY(scalar)
WASMQ_DECLARE_FBINARY_ALL(scalar)
#if defined(WASMQ_HAVE_WASMSIMD)
WASMQ_DECLARE_QBINARY(wasmsimd_x16)
WASMQ_DECLARE_FBINARY_ALL(wasmsimd_x16)
#endif

// float ops: max/min follow std::max/std::min (== wasm pmax/pmin): max(a, b) = a < b ? b : a.
enum class BinaryOp { kAdd, kSub, kMul, kDiv, kMax, kMin };

// The kernel set one build uses (SIMD when compiled in).
struct F32BinaryKernels {
  f32_vbinary_fn op;    // a[i] op b[i]
  f32_vbinary_fn opc;   // a[i] op b[0]
  f32_vbinary_fn ropc;  // b[0] op a[i]
};
struct ElementwiseConfig {
  qs8_vadd_fn qs8_add, qs8_addc;
  qu8_vadd_fn qu8_add, qu8_addc;
  qs8_vmul_fn qs8_mul, qs8_mulc;
  qu8_vmul_fn qu8_mul, qu8_mulc;
  F32BinaryKernels f32[6];  // indexed by BinaryOp
};
const ElementwiseConfig& elementwise_config();
// The scalar-only set (tests and benchmarks compare against it).
const ElementwiseConfig& elementwise_config_scalar();

// int8 inputs, int16 output ("c" = b is the one value b[0]).
struct Elementwise16Config {
  qs8_qs16_vadd_fn add, addc;
  qs8_qs16_vmul_fn mul, mulc;
};
const Elementwise16Config& elementwise16_config();
const Elementwise16Config& elementwise16_config_scalar();

// ---- broadcasting driver over a [rows][channels] view ----
// kFull: the operand has rows*channels elements; kChannel: channels elements (last dim, repeated
// for every row); kScalar: one element. Rows [row_begin, row_end) are computed, so a thread pool
// can split the work; y is always full.
enum class Broadcast { kFull, kChannel, kScalar };

struct BinaryShape {
  size_t rows;
  size_t channels;
  Broadcast a;
  Broadcast b;
};

void qs8_add(const BinaryShape& s, const int8_t* a, const int8_t* b, int8_t* y, const QAddParams& p,
             size_t row_begin, size_t row_end, const ElementwiseConfig& cfg = elementwise_config());
void qu8_add(const BinaryShape& s, const uint8_t* a, const uint8_t* b, uint8_t* y, const QAddParams& p,
             size_t row_begin, size_t row_end, const ElementwiseConfig& cfg = elementwise_config());
void qs8_mul(const BinaryShape& s, const int8_t* a, const int8_t* b, int8_t* y, const QMulParams& p,
             size_t row_begin, size_t row_end, const ElementwiseConfig& cfg = elementwise_config());
void qu8_mul(const BinaryShape& s, const uint8_t* a, const uint8_t* b, uint8_t* y, const QMulParams& p,
             size_t row_begin, size_t row_end, const ElementwiseConfig& cfg = elementwise_config());
void qs8_qs16_add(const BinaryShape& s, const int8_t* a, const int8_t* b, int16_t* y, const QAddParams& p,
                  size_t row_begin, size_t row_end, const Elementwise16Config& cfg = elementwise16_config());
void qs8_qs16_mul(const BinaryShape& s, const int8_t* a, const int8_t* b, int16_t* y, const QMulParams& p,
                  size_t row_begin, size_t row_end, const Elementwise16Config& cfg = elementwise16_config());
void f32_binary(BinaryOp op, const BinaryShape& s, const float* a, const float* b, float* y,
                const F32MinMaxParams& p, size_t row_begin, size_t row_end,
                const ElementwiseConfig& cfg = elementwise_config());

}  // namespace wasmq

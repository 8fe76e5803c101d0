// Int8 GEMM (8-bit or int16 activations x int8 weights): packing, params, scalar reference and WASM SIMD kernels.
//
// C[m][n] = sum_k (A[m][k] - a_zp) * W[n][k] + bias[n], then one of three outputs:
//   acc32        the int32 accumulator itself;
//   minmax_fp32  requantize_fp32(acc, scale[n], c_zp, qmin, qmax) (kernels/requant/requant.h);
//   f32          min(max(float(acc) * (a_scale * scale[n]) + fbias[n], fmin), fmax).
// Activations are int8 (`qs8_` names) or uint8 (`qu8_` names; minmax_fp32 output is then uint8).
// The activation zero point and scale are per tensor (a_quant_stride = 0) or per row
// (a_quant_stride = 1, dynamic quantization). Weights have zero point 0; their scale is folded
// into `scale[n]` (per output channel; per tensor = n equal values).
//
// Packing (qs8_packw): columns in groups of NR = 4, K zero-padded to kc = round_up(k, KR = 8):
//   group g: int32 bias[4] | int32 colsum[4] | w[kc / 8][4][8]
// (for each 8-deep K block, the 8 weights of column 0, then column 1, ...). The weights are int8
// (qs8_packw, kernels named ..c8) or pre-extended to int16 (qs8_packw_w16, kernels named ..c8w16:
// twice the memory, but the inner loop loads them with a plain v128.load instead of load8x8,
// measured 15-20% faster for GEMM; see docs/kernels-gemm.md). colsum[j] =
// sum_k W[n][k] lets a kernel fold the activation zero point in: acc0 = bias - a_zp * colsum.
// Columns past n in the last group are all zero. All int32 arithmetic wraps (mod 2^32), so every
// kernel equals the reference bit for bit, and the result is the mathematical one whenever that
// fits int32: |sum| <= k * 255 * 128 + |bias| < 2^31, e.g. any k <= 65536 with |bias| < 2^23.
//
// Memory contract: kernels read up to KR - 1 = 7 bytes past the last used element of each A row
// (k is processed in blocks of 8; the matching weights are zero, so those bytes never change the
// result; they must only be readable). They read exactly n entries of scale/fbias, and write only
// C[m_begin..m_end) x [n_begin..n_end). n_begin must be a multiple of NR = 4.
// Indices are absolute: row m of A is a + m * a_stride, C[m][n] is c[m * c_stride + n].
#pragma once

#include <cstddef>
#include <cstdint>

namespace wasmq {

constexpr size_t kQs8GemmNR = 4;
constexpr size_t kQs8GemmKR = 8;

inline size_t qs8_gemm_kc(size_t k) { return (k + kQs8GemmKR - 1) / kQs8GemmKR * kQs8GemmKR; }
// Bytes of one packed group of 4 columns; w_bytes = 1 (qs8_packw) or 2 (qs8_packw_w16).
inline size_t qs8_packw_group_bytes(size_t k, size_t w_bytes) {
  return kQs8GemmNR * 8 + kQs8GemmNR * qs8_gemm_kc(k) * w_bytes;
}
// Bytes of packed weights for n columns of depth k.
inline size_t qs8_packw_size(size_t n, size_t k, size_t w_bytes = 1) {
  return (n + kQs8GemmNR - 1) / kQs8GemmNR * qs8_packw_group_bytes(k, w_bytes);
}

// Packs W (element (n, k) at w[n * w_n_stride + k * w_k_stride]: [N][K] row-major has strides
// (k, 1), [K][N] has (1, n)) and the int32 bias (may be null: 0) into `packed`
// (qs8_packw_size bytes, 4-byte aligned).
void qs8_packw(size_t n, size_t k, const int8_t* w, size_t w_n_stride, size_t w_k_stride,
               const int32_t* bias, void* packed);
// The same layout with int16 weights (qs8_packw_size(n, k, 2) bytes).
void qs8_packw_w16(size_t n, size_t k, const int8_t* w, size_t w_n_stride, size_t w_k_stride,
                   const int32_t* bias, void* packed);
typedef void (*qs8_packw_fn)(size_t n, size_t k, const int8_t* w, size_t w_n_stride, size_t w_k_stride,
                             const int32_t* bias, void* packed);

struct QGemmParams {
  const int32_t* a_zero_point = nullptr;  // [m * a_quant_stride]
  const float* a_scale = nullptr;         // [m * a_quant_stride], f32 output only
  size_t a_quant_stride = 0;              // 0: per tensor, 1: per row
  const float* scale = nullptr;           // [n]: requant scale (8-bit out) or weight scale (f32 out)
  const float* fbias = nullptr;           // [n] or null, f32 output only
  int32_t c_zero_point = 0, qmin = -128, qmax = 127;  // 8-bit output
  float fmin = -3.402823466e38f, fmax = 3.402823466e38f;  // f32 output
};

template <typename TA, typename TC>
using qgemm_fn = void (*)(size_t m_begin, size_t m_end, size_t n_begin, size_t n_end, size_t k,
                          const TA* a, size_t a_stride, const void* packed_w, TC* c, size_t c_stride,
                          const QGemmParams& p);

typedef qgemm_fn<int8_t, int32_t> qs8_gemm_acc32_fn;
typedef qgemm_fn<uint8_t, int32_t> qu8_gemm_acc32_fn;
typedef qgemm_fn<int8_t, int8_t> qs8_gemm_minmax_fn;
typedef qgemm_fn<uint8_t, uint8_t> qu8_gemm_minmax_fn;
typedef qgemm_fn<int8_t, float> qs8_gemm_f32_fn;
typedef qgemm_fn<uint8_t, float> qu8_gemm_f32_fn;

#define WASMQ_DECLARE_QGEMM(suffix)                                                                         \
  void qs8_gemm_acc32__##suffix(size_t, size_t, size_t, size_t, size_t, const int8_t*, size_t, const void*, \
                                int32_t*, size_t, const QGemmParams&);                                      \
  void qu8_gemm_acc32__##suffix(size_t, size_t, size_t, size_t, size_t, const uint8_t*, size_t, const void*, \
                                int32_t*, size_t, const QGemmParams&);                                      \
  void qs8_gemm_minmax_fp32__##suffix(size_t, size_t, size_t, size_t, size_t, const int8_t*, size_t,         \
                                      const void*, int8_t*, size_t, const QGemmParams&);                     \
  void qu8_gemm_minmax_fp32__##suffix(size_t, size_t, size_t, size_t, size_t, const uint8_t*, size_t,        \
                                      const void*, uint8_t*, size_t, const QGemmParams&);                    \
  void qs8_gemm_f32__##suffix(size_t, size_t, size_t, size_t, size_t, const int8_t*, size_t, const void*,    \
                              float*, size_t, const QGemmParams&);                                          \
  void qu8_gemm_f32__##suffix(size_t, size_t, size_t, size_t, size_t, const uint8_t*, size_t, const void*,   \
                              float*, size_t, const QGemmParams&);

// The reference: always compiled, the fallback, and the oracle of every other kernel
// (scalar: int8 packing, scalar_w16: int16 packing).
WASMQ_DECLARE_QGEMM(scalar)
WASMQ_DECLARE_QGEMM(scalar_w16)
#if defined(WASMQ_HAVE_WASMSIMD)
// MRx4 register tiles (rows in tiles of MR, the remainder in 2 and 1), K in blocks of 8:
// activations by i16x8.load8x8 (sign or zero extension, both exact), i32x4.dot_i16x8_s, and a
// horizontal reduction of the 4 column accumulators at the end. 4x4 keeps 16 accumulators and
// spills on x64 V8 (16 xmm registers); 2x4 (8 accumulators) is the fastest measured.
WASMQ_DECLARE_QGEMM(wasmsimd_dot16x2_4x4c8)
WASMQ_DECLARE_QGEMM(wasmsimd_dot16x2_2x4c8)
WASMQ_DECLARE_QGEMM(wasmsimd_dot16x2_1x4c8)
// The same tiles on int16-packed weights.
WASMQ_DECLARE_QGEMM(wasmsimd_dot16x2_4x4c8w16)
WASMQ_DECLARE_QGEMM(wasmsimd_dot16x2_2x4c8w16)
WASMQ_DECLARE_QGEMM(wasmsimd_dot16x2_1x4c8w16)
#endif
#undef WASMQ_DECLARE_QGEMM

// ---- Column-blocked variant for short K (1x1 convolutions) ----
// Two rows of C per iteration, NB = 16 (or 8) columns per block held in NB/4 i32x4 accumulators
// per row whose lanes ARE the columns: each activation pair (a[k], a[k+1]) is broadcast to all
// lanes and i32x4.dot_i16x8 multiplies it with the weights of 4 columns at once. Unlike the MRx4c8
// tiles there is no horizontal reduction, and one requantization serves 16 (8) outputs, which is
// most of the cost when K is small (a K=16..32 1x1 convolution spends more on its epilogue than on
// its MACs). NB = 8 is for 8-column layers (an RGB stem, narrow 1x1s).
// Packing (qs8_packw_nb): blocks of NB columns, K zero-padded to kc = round_up(k, 8):
//   int32 bias[NB] | int32 colsum[NB] | for each k pair q < kc / 2, NB/4 i16x8 vectors:
//   vector v = (W[4v][2q], W[4v][2q+1], W[4v+1][2q], W[4v+1][2q+1], ..., W[4v+3][2q+1])
// Columns past n are zero. minmax_fp32 output only, per-tensor activation zero point
// (a_quant_stride 0), n_begin a multiple of NB; otherwise the contract of the kernels above (reads up
// to 7 bytes past each A row, writes only C[m_begin..m_end) x [n_begin..n_end)). Bit-exact to the
// scalar reference GEMM (same int32 sums mod 2^32, same requantize_fp32 float operations).
inline size_t qs8_packw_nb_block_bytes(size_t nb, size_t k) { return 2 * nb * 4 + qs8_gemm_kc(k) * nb * 2; }
inline size_t qs8_packw_nb_size(size_t nb, size_t n, size_t k) { return (n + nb - 1) / nb * qs8_packw_nb_block_bytes(nb, k); }
// nb = 8 or 16.
void qs8_packw_nb(size_t nb, size_t n, size_t k, const int8_t* w, size_t w_n_stride, size_t w_k_stride,
                  const int32_t* bias, void* packed);
#if defined(WASMQ_HAVE_WASMSIMD)
void qs8_gemm_minmax_fp32_2x16c2__wasmsimd_dot16x2(size_t, size_t, size_t, size_t, size_t, const int8_t*, size_t,
                                                    const void*, int8_t*, size_t, const QGemmParams&);
void qu8_gemm_minmax_fp32_2x16c2__wasmsimd_dot16x2(size_t, size_t, size_t, size_t, size_t, const uint8_t*, size_t,
                                                    const void*, uint8_t*, size_t, const QGemmParams&);
void qs8_gemm_minmax_fp32_2x8c2__wasmsimd_dot16x2(size_t, size_t, size_t, size_t, size_t, const int8_t*, size_t,
                                                   const void*, int8_t*, size_t, const QGemmParams&);
void qu8_gemm_minmax_fp32_2x8c2__wasmsimd_dot16x2(size_t, size_t, size_t, size_t, size_t, const uint8_t*, size_t,
                                                   const void*, uint8_t*, size_t, const QGemmParams&);
#endif
// This build's column-blocked kernels, or nulls where there are none (scalar builds: use the
// MRx4 kernels of qgemm_config()).
struct QGemmColConfig {
  qs8_gemm_minmax_fn qs8_n16, qs8_n8;
  qu8_gemm_minmax_fn qu8_n16, qu8_n8;
};
const QGemmColConfig& qgemm_col_config();

// ---- int16 activations (A16W8 mixed precision) ----
// Same packing as the int8 kernels (qs8_packw / qs8_packw_w16 / qs8_packw_nb), same math:
// C = requantize_fp32(bias - a_zp * colsum + sum_k A[m][k] * W[n][k], scale[n], c_zp, qmin, qmax), int32 sums wrap mod 2^32.
// Names: qs8_qs16_ = int8 A -> int16 C; qs16_qs8_ = int16 A -> int8 C; qs16_ = int16 A -> int16 C.
// Memory contract: int16-A kernels read up to 7 elements (14 bytes) past the last used element of each A row
// (K in blocks of 8; the matching weights are zero), like the int8 ones read 7 bytes; they read exactly n
// entries of scale and write only C[m_begin..m_end) x [n_begin..n_end). a_stride / c_stride are in elements.
// int16 C output: requantized to [qmin, qmax] and stored as int16; callers pass e.g. -32768..32767 (the
// QGemmParams defaults are the int8 range), or qmin = zero point for a fused ReLU. [qmin, qmax] must lie in
// the output type's range. Accumulators: see qgemm_sums_fit_int32 (int16 A exhausts int32 far sooner:
// k * 32768 * 128 reaches 2^31 at k = 512). i32x4.dot_i16x8 of an int16 activation pair and two int8-valued
// weights cannot overflow (|a| <= 32768, |w| <= 128: at most 2^23).
typedef qgemm_fn<int8_t, int16_t> qs8_qs16_gemm_minmax_fn;
typedef qgemm_fn<int16_t, int8_t> qs16_qs8_gemm_minmax_fn;
typedef qgemm_fn<int16_t, int16_t> qs16_gemm_minmax_fn;

#define WASMQ_DECLARE_QGEMM16(prefix, suffix)                                                                     \
  void qs8_qs16_gemm_minmax_fp32##prefix##__##suffix(size_t, size_t, size_t, size_t, size_t, const int8_t*, size_t, \
                                                     const void*, int16_t*, size_t, const QGemmParams&);            \
  void qs16_qs8_gemm_minmax_fp32##prefix##__##suffix(size_t, size_t, size_t, size_t, size_t, const int16_t*, size_t, \
                                                     const void*, int8_t*, size_t, const QGemmParams&);             \
  void qs16_gemm_minmax_fp32##prefix##__##suffix(size_t, size_t, size_t, size_t, size_t, const int16_t*, size_t,    \
                                                 const void*, int16_t*, size_t, const QGemmParams&);

// scalar (int8-packed weights) and scalar_w16 (int16-packed weights) references: the oracles.
WASMQ_DECLARE_QGEMM16(, scalar)
WASMQ_DECLARE_QGEMM16(, scalar_w16)
#if defined(WASMQ_HAVE_WASMSIMD)
// MRx4c8 tiles on qs8_packw (c8) and qs8_packw_w16 (c8w16) weights, e.g. qs16_gemm_minmax_fp32__wasmsimd_dot16x2_2x4c8w16.
// int16 activations are loaded with a plain v128.load (8 per K block) instead of load8x8.
WASMQ_DECLARE_QGEMM16(, wasmsimd_dot16x2_4x4c8)
WASMQ_DECLARE_QGEMM16(, wasmsimd_dot16x2_2x4c8)
WASMQ_DECLARE_QGEMM16(, wasmsimd_dot16x2_1x4c8)
WASMQ_DECLARE_QGEMM16(, wasmsimd_dot16x2_4x4c8w16)
WASMQ_DECLARE_QGEMM16(, wasmsimd_dot16x2_2x4c8w16)
WASMQ_DECLARE_QGEMM16(, wasmsimd_dot16x2_1x4c8w16)
// Column-blocked short-K kernels on qs8_packw_nb(16 / 8) weights (contract of the 2x16c2 / 2x8c2 kernels above:
// per-tensor a_zp, n_begin a multiple of NB), e.g. qs16_gemm_minmax_fp32_2x16c2__wasmsimd_dot16x2.
WASMQ_DECLARE_QGEMM16(_2x16c2, wasmsimd_dot16x2)
WASMQ_DECLARE_QGEMM16(_2x8c2, wasmsimd_dot16x2)
#endif
#undef WASMQ_DECLARE_QGEMM16

// MRx4 kernels matching qgemm_config().packw / w_bytes (pack once, run int8 or int16 kernels on it).
struct QGemm16Config {
  qs8_qs16_gemm_minmax_fn qs8_qs16;
  qs16_qs8_gemm_minmax_fn qs16_qs8;
  qs16_gemm_minmax_fn qs16;
};
const QGemm16Config& qgemm16_config();
// Column-blocked (qs8_packw_nb), nulls in scalar builds like QGemmColConfig.
struct QGemmCol16Config {
  qs8_qs16_gemm_minmax_fn qs8_qs16_n16, qs8_qs16_n8;
  qs16_qs8_gemm_minmax_fn qs16_qs8_n16, qs16_qs8_n8;
  qs16_gemm_minmax_fn qs16_n16, qs16_n8;
};
const QGemmCol16Config& qgemm_col16_config();

// int32 overflow guard for int16 activations: true when, for every column n,
//   max_abs_a * sum_k |W[n][k]| + |bias[n]| < 2^31  (computed in int64), so the wrapping int32 sums equal the exact ones.
// max_abs_a = max |A - a_zp| (32768 for int16 with zero point 0). w strides as qs8_packw. bias may be null.
bool qgemm_sums_fit_int32(size_t n, size_t k, const int8_t* w, size_t w_n_stride, size_t w_k_stride,
                          const int32_t* bias, int64_t max_abs_a);

// The kernels the library uses, chosen once for this build (SIMD when compiled in), with the
// packing they need: pack with `packw` into packw_size(n, k, w_bytes) bytes.
struct QGemmConfig {
  qs8_packw_fn packw;
  size_t w_bytes;
  qs8_gemm_acc32_fn qs8_acc32;
  qu8_gemm_acc32_fn qu8_acc32;
  qs8_gemm_minmax_fn qs8_minmax;
  qu8_gemm_minmax_fn qu8_minmax;
  qs8_gemm_f32_fn qs8_f32;
  qu8_gemm_f32_fn qu8_f32;
};
const QGemmConfig& qgemm_config();

}  // namespace wasmq

// Block-wise int4 weights (qb4w) GEMM/GEMV: against float activations (f32_qb4w) and against
// block-quantized int8 activations (qb8_qb4w, like ggml Q4_0 x Q8_0). Float output, bias, clamp.
//
// Weight format in (qs4_packw_onnx input): ONNX MatMulNBits with bits = 4 and no zero_points
// input: blob[N][n_blocks][block / 2] uint8, element k of a block in the low nibble when k is even
// (low-nibble first), stored unsigned u with implicit zero point 8, so q = u - 8 in [-8, 7]
// (symmetric); scales[N][n_blocks] float; value = q * scale. block in {32, 64, 128} (any multiple
// of 32). n_blocks = ceil(K / block); elements past K are treated as 0.
//
// Packed layout (qs4_packw_onnx output): groups of NR = 4 columns; per group, per block b:
//   float scale[4] | for each 32-deep sub-block: for each column j: 16 bytes
// where byte 2i holds k = i (low nibble) and k = 8 + i (high nibble), byte 2i+1 holds k = 16 + i
// and k = 24 + i, as ONNX's unsigned nibbles u = q + 8 (padding: u = 8, q = 0). In a 16-bit lane
// the four nibbles sit at bits 0, 4, 8, 12: one `and` (or a logical shift for the top one) gives
// u * {1, 16, 256, 1} for k = i, 8 + i, 16 + i, 24 + i: four int16x8 vectors in natural k order.
//
// Float summation order (the definition; scalar and SIMD follow it, results are bit-exact):
//   f32_qb4w:  y = 0; for each block b: p[l] = 0 (l = 0..3); for kk = 0 .. block-1 (k = b*block+kk,
//              a = A[k] or 0 past K): p[kk % 4] = p[kk % 4] + a * float(q);
//              y = y + ((p[0] + p[2]) + (p[1] + p[3])) * scale[b][n].
//   qb8_qb4w:  y = 0; for each block b: s = sum_kk qa[k] * q (exact int32);
//              y = y + float(s) * (a_scale[b] * scale[b][n]).
//   then y = y + bias[n] (when bias is given), y = min(max(y, fmin), fmax).
// Integer partial sums are exact: |s| <= 127 * 8 * block < 2^31 for any block <= 2^21.
//
// Activations for qb8_qb4w (f32_qb8_quantize): per row and per block of the same size as the
// weights', symmetric int8: d = max|x| / 127, q = clamp(round_half_even(x / d), -127, 127)
// (the f32_qs8 vcvt kernel); a block of zeros gets d = 0 and q = 0. Codes are stored with a row
// stride of n_blocks * block (padding zero-filled): ggml's Q8_0 content.
// The SIMD kernels read them through qb8_pack_act: int16 codes pre-multiplied by {256, 16, 1, 256}
// for k = 0..7, 8..15, 16..23, 24..31 of each 32-deep sub-block (|value| <= 32512), so that each
// product with the matching nibble field above is 256 * u * a, plus the block sums sum(a). The
// kernel then gets s = (sum_fields >> 8) - 8 * sum(a) exactly (sum_fields <= 15 * 127 * 256 * block
// < 2^31 for block <= 4096).
//
// Memory contract: f32_qb4w kernels read exactly K floats of each A row (a partial last 32-deep
// sub-block is copied to a zeroed stack buffer); qb8_qb4w kernels read n_blocks * block codes per
// row (the quantizer writes them). Both write only C[m_begin..m_end) x [n_begin..n_end);
// n_begin must be a multiple of 4.
#pragma once

#include <cstddef>
#include <cstdint>

namespace wasmq {

constexpr size_t kQs4NR = 4;

inline size_t qs4_blocks(size_t k, size_t block) { return (k + block - 1) / block; }
// Bytes of one packed group of 4 columns, and of all groups.
inline size_t qs4_group_bytes(size_t k, size_t block) {
  return qs4_blocks(k, block) * (kQs4NR * sizeof(float) + kQs4NR * block / 2);
}
inline size_t qs4_packw_size(size_t n, size_t k, size_t block) {
  return (n + kQs4NR - 1) / kQs4NR * qs4_group_bytes(k, block);
}

// Packs an ONNX MatMulNBits blob + scales (see above) for the kernels. Throws on a bad block size.
void qs4_packw_onnx(size_t n, size_t k, size_t block, const uint8_t* blob, const float* scales, void* packed);

// Quantizes rows [0, m) of A per block (see above): codes[m][n_blocks * block], scales[m][n_blocks].
void f32_qb8_quantize(size_t m, size_t k, size_t block, const float* a, size_t a_stride, int8_t* codes,
                      float* scales);

// Kernel-ready activations from the codes: packed[m][n_blocks * block] int16 and sums[m][n_blocks].
void qb8_pack_act(size_t m, size_t k, size_t block, const int8_t* codes, int16_t* packed, int32_t* sums);

// Bundle of qb8 activations as the kernels take them (rows of n_blocks * block codes / packed values).
struct Qb8Act {
  const int8_t* codes;    // f32_qb8_quantize output (read by the scalar reference)
  const int16_t* packed;  // qb8_pack_act output (read by the SIMD kernels)
  const int32_t* sums;    // qb8_pack_act output
  const float* scales;    // [m][n_blocks]
};

struct Qs4Params {
  const float* bias = nullptr;  // [n] or null
  float fmin = -3.402823466e38f, fmax = 3.402823466e38f;
};

typedef void (*f32_qb4w_gemm_fn)(size_t m_begin, size_t m_end, size_t n_begin, size_t n_end, size_t k, size_t block,
                                 const float* a, size_t a_stride, const void* packed_w, float* c, size_t c_stride,
                                 const Qs4Params& p);
typedef void (*qb8_qb4w_gemm_fn)(size_t m_begin, size_t m_end, size_t n_begin, size_t n_end, size_t k, size_t block,
                                 const Qb8Act& a, const void* packed_w, float* c, size_t c_stride,
                                 const Qs4Params& p);

#define WASMQ_DECLARE_QS4(suffix)                                                                              \
  void f32_qb4w_gemm_minmax__##suffix(size_t, size_t, size_t, size_t, size_t, size_t, const float*, size_t,     \
                                      const void*, float*, size_t, const Qs4Params&);                           \
  void qb8_qb4w_gemm_minmax__##suffix(size_t, size_t, size_t, size_t, size_t, size_t, const Qb8Act&, const void*, \
                                      float*, size_t, const Qs4Params&);

WASMQ_DECLARE_QS4(scalar)
#if defined(WASMQ_HAVE_WASMSIMD)
// 1 row (GEMV) and up-to-4-row tiles by 4 columns, 32-deep sub-blocks; nibble fields by and/shift;
// qb8: i32x4.dot_i16x8_s against the pre-scaled activations; f32: q = u - 8 -> int32 -> f32, mul + add.
WASMQ_DECLARE_QS4(wasmsimd_1x4c32)
WASMQ_DECLARE_QS4(wasmsimd_4x4c32)
#endif
#undef WASMQ_DECLARE_QS4

struct Qs4GemmConfig {
  f32_qb4w_gemm_fn f32_gemv, f32_gemm;
  qb8_qb4w_gemm_fn qb8_gemv, qb8_gemm;
};
const Qs4GemmConfig& qs4_gemm_config();

}  // namespace wasmq

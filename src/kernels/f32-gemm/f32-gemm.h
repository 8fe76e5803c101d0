// Float32 GEMM with packed B, fused bias and min/max clamp: scalar reference and WASM SIMD kernels.
//
// C[m][n] = min(max(bias[n] + sum_k A[m][k] * W[n][k], fmin), fmax), where the sum is defined as
// acc = bias; for k = 0, 1, ..., K-1: acc = acc + A[m][k] * W[n][k] (a float32 multiply, then a
// float32 add: no FMA, no reassociation). The scalar reference and every SIMD kernel follow this
// order, so they are bit-exact (lanes are columns; K is never split).
//
// Packing (f32_packw): columns in groups of NR = 8: group g = float bias[8] | float w[K][8];
// columns past n in the last group are zero.
// Memory contract: kernels read exactly K floats of each A row (no read past the end), the packed
// weights, and write only C[m_begin..m_end) x [n_begin..n_end). n_begin must be a multiple of 8.
#pragma once

#include <cstddef>

namespace wasmq {

constexpr size_t kF32GemmNR = 8;

inline size_t f32_packw_size(size_t n, size_t k) {  // in floats
  return (n + kF32GemmNR - 1) / kF32GemmNR * kF32GemmNR * (k + 1);
}

// W element (n, k) is w[n * w_n_stride + k * w_k_stride]; bias may be null (0).
void f32_packw(size_t n, size_t k, const float* w, size_t w_n_stride, size_t w_k_stride, const float* bias,
               float* packed);

struct F32GemmParams {
  float fmin, fmax;
};

typedef void (*f32_gemm_fn)(size_t m_begin, size_t m_end, size_t n_begin, size_t n_end, size_t k, const float* a,
                            size_t a_stride, const float* packed_w, float* c, size_t c_stride,
                            const F32GemmParams& p);

#define WASMQ_DECLARE_F32GEMM(name)                                                                         \
  void name(size_t m_begin, size_t m_end, size_t n_begin, size_t n_end, size_t k, const float* a, size_t a_stride, \
            const float* packed_w, float* c, size_t c_stride, const F32GemmParams& p);

WASMQ_DECLARE_F32GEMM(f32_gemm_minmax__scalar)
#if defined(WASMQ_HAVE_WASMSIMD)
// MRx8 tiles (rows in tiles of MR, the remainder in 4/2/1), one A element broadcast per k
// (v128.load32_splat) against two vectors of packed B, mul + add.
WASMQ_DECLARE_F32GEMM(f32_gemm_minmax__wasmsimd_loadsplat_4x8)
WASMQ_DECLARE_F32GEMM(f32_gemm_minmax__wasmsimd_loadsplat_6x8)
// Same tiles, A loaded 4 k at a time (v128.load) and each lane broadcast by a shuffle.
WASMQ_DECLARE_F32GEMM(f32_gemm_minmax__wasmsimd_splat_4x8)
WASMQ_DECLARE_F32GEMM(f32_gemm_minmax__wasmsimd_splat_6x8)
#endif
#undef WASMQ_DECLARE_F32GEMM

struct F32GemmConfig {
  f32_gemm_fn gemm;
  const char* gemm_name;
};
const F32GemmConfig& f32_gemm_config();

}  // namespace wasmq

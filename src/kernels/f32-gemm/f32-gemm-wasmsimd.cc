// WASM SIMD float32 GEMM, MRx8 register tiles (loadsplat and splat variants), bit-exact to the scalar order.
#include <cstring>

#include "common/error.h"
#include "kernels/f32-gemm/f32-gemm.h"
#include "simd/wasm_simd.h"

#if defined(WASMQ_HAVE_WASMSIMD)

namespace wasmq {
namespace {

inline void store_row(float* c, v128_t v0, v128_t v1, size_t nc) {
  if (nc == 8) {
    wasm_v128_store(c, v0);
    wasm_v128_store(c + 4, v1);
  } else {
    float t[8];
    wasm_v128_store(t, v0);
    wasm_v128_store(t + 4, v1);
    std::memcpy(c, t, nc * sizeof(float));
  }
}

// acc[r][0..1] += a[r][k] * w[k][0..7] for one k.
template <int MR>
inline void step(v128_t (&acc)[MR][2], const v128_t (&va)[MR], const float* w) {
  const v128_t vb0 = wasm_v128_load(w);
  const v128_t vb1 = wasm_v128_load(w + 4);
  for (int r = 0; r < MR; ++r) {
    acc[r][0] = wasm_f32x4_add(acc[r][0], wasm_f32x4_mul(va[r], vb0));
    acc[r][1] = wasm_f32x4_add(acc[r][1], wasm_f32x4_mul(va[r], vb1));
  }
}

template <int MR, bool kSplat>
inline void tile(size_t m, size_t n0, size_t nc, size_t k, const float* a, size_t a_stride, const float* g, float* c,
                 size_t c_stride, const F32GemmParams& p) {
  const float* ar[MR];
  v128_t acc[MR][2];
  const v128_t b0 = wasm_v128_load(g), b1 = wasm_v128_load(g + 4);
  for (int r = 0; r < MR; ++r) {
    ar[r] = a + (m + r) * a_stride;
    acc[r][0] = b0;
    acc[r][1] = b1;
  }
  const float* w = g + kF32GemmNR;
  size_t kk = 0;
  if (kSplat) {
    for (; kk + 4 <= k; kk += 4) {
      v128_t a4[MR];
      for (int r = 0; r < MR; ++r) a4[r] = wasm_v128_load(ar[r] + kk);
      v128_t va[MR];
      for (int r = 0; r < MR; ++r) va[r] = wasm_i32x4_shuffle(a4[r], a4[r], 0, 0, 0, 0);
      step<MR>(acc, va, w);
      for (int r = 0; r < MR; ++r) va[r] = wasm_i32x4_shuffle(a4[r], a4[r], 1, 1, 1, 1);
      step<MR>(acc, va, w + 8);
      for (int r = 0; r < MR; ++r) va[r] = wasm_i32x4_shuffle(a4[r], a4[r], 2, 2, 2, 2);
      step<MR>(acc, va, w + 16);
      for (int r = 0; r < MR; ++r) va[r] = wasm_i32x4_shuffle(a4[r], a4[r], 3, 3, 3, 3);
      step<MR>(acc, va, w + 24);
      w += 32;
    }
  }
  for (; kk < k; ++kk) {
    v128_t va[MR];
    for (int r = 0; r < MR; ++r) va[r] = wasm_v128_load32_splat(ar[r] + kk);
    step<MR>(acc, va, w);
    w += 8;
  }
  const v128_t lo = wasm_f32x4_splat(p.fmin), hi = wasm_f32x4_splat(p.fmax);
  for (int r = 0; r < MR; ++r) {
    const v128_t y0 = wasm_f32x4_pmin(wasm_f32x4_pmax(acc[r][0], lo), hi);
    const v128_t y1 = wasm_f32x4_pmin(wasm_f32x4_pmax(acc[r][1], lo), hi);
    store_row(c + (m + r) * c_stride + n0, y0, y1, nc);
  }
}

template <int MR, bool kSplat>
inline void rows(size_t m, size_t n_begin, size_t n_end, size_t k, const float* a, size_t a_stride, const float* w,
                 float* c, size_t c_stride, const F32GemmParams& p) {
  const size_t group = kF32GemmNR * (k + 1);
  const float* g = w + (n_begin / kF32GemmNR) * group;
  for (size_t n0 = n_begin; n0 < n_end; n0 += kF32GemmNR, g += group) {
    const size_t nc = n_end - n0 < kF32GemmNR ? n_end - n0 : kF32GemmNR;
    tile<MR, kSplat>(m, n0, nc, k, a, a_stride, g, c, c_stride, p);
  }
}

template <int MR, bool kSplat>
void gemm(size_t m_begin, size_t m_end, size_t n_begin, size_t n_end, size_t k, const float* a, size_t a_stride,
          const float* w, float* c, size_t c_stride, const F32GemmParams& p) {
  WASMQ_CHECK(n_begin % kF32GemmNR == 0, "f32 gemm: n_begin must be a multiple of 8");
  // Column blocks whose packed weights stay in cache (~128 KiB) while every row tile passes over them.
  size_t nb = 128 * 1024 / (kF32GemmNR * (k + 1) * sizeof(float)) * kF32GemmNR;
  if (nb < kF32GemmNR) nb = kF32GemmNR;
  for (size_t n0 = n_begin; n0 < n_end; n0 += nb) {
    const size_t n1 = n_end - n0 < nb ? n_end : n0 + nb;
    size_t m = m_begin;
    for (; m + MR <= m_end; m += MR) rows<MR, kSplat>(m, n0, n1, k, a, a_stride, w, c, c_stride, p);
    if (MR > 4 && m + 4 <= m_end) {
      rows<4, kSplat>(m, n0, n1, k, a, a_stride, w, c, c_stride, p);
      m += 4;
    }
    if (m + 2 <= m_end) {
      rows<2, kSplat>(m, n0, n1, k, a, a_stride, w, c, c_stride, p);
      m += 2;
    }
    if (m < m_end) rows<1, kSplat>(m, n0, n1, k, a, a_stride, w, c, c_stride, p);
  }
}

}  // namespace

#define WASMQ_DEFINE_F32GEMM(name, MR, SPLAT)                                                                \
  void name(size_t mb, size_t me, size_t nb, size_t ne, size_t k, const float* a, size_t as, const float* w, \
            float* c, size_t cs, const F32GemmParams& p) {                                                  \
    gemm<MR, SPLAT>(mb, me, nb, ne, k, a, as, w, c, cs, p);                                                 \
  }

WASMQ_DEFINE_F32GEMM(f32_gemm_minmax__wasmsimd_loadsplat_4x8, 4, false)
WASMQ_DEFINE_F32GEMM(f32_gemm_minmax__wasmsimd_loadsplat_6x8, 6, false)
WASMQ_DEFINE_F32GEMM(f32_gemm_minmax__wasmsimd_splat_4x8, 4, true)
WASMQ_DEFINE_F32GEMM(f32_gemm_minmax__wasmsimd_splat_6x8, 6, true)

}  // namespace wasmq

#endif  // WASMQ_HAVE_WASMSIMD

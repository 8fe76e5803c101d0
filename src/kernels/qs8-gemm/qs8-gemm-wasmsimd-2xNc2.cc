// WASM SIMD int8/int16-activation GEMM on the column-blocked packing (qs8_packw_nb): 2 rows x 16 or 8 columns,
// activation pairs broadcast, i32x4.dot_i16x8_s; bit-exact to qs8-gemm-scalar.cc (layout and contract in qs8-gemm.h).
#include <cstring>

#include "common/error.h"
#include "kernels/elementwise/requant-wasmsimd.h"
#include "kernels/qs8-gemm/qs8-gemm.h"
#include "simd/wasm_simd_store.h"

#if defined(WASMQ_HAVE_WASMSIMD)

namespace wasmq {
namespace {

inline v128_t load_a(const int8_t* p) { return wasm_i16x8_load8x8(p); }
inline v128_t load_a(const uint8_t* p) { return wasm_u16x8_load8x8(p); }
// 8 int16 activations as they are: 32-bit lane j is the pair (a[2j], a[2j+1]) the broadcast needs.
inline v128_t load_a(const int16_t* p) { return wasm_v128_load(p); }

// NV i32x4 codes (NV = 4: 16 bytes, NV = 2: 8 bytes) -> the first nc of them stored.
template <int NV, typename T>
inline void store_codes(T* c, const v128_t (&q)[NV], size_t nc) {
  if constexpr (NV == 4) {
    const v128_t b = pack_codes<T>(q[0], q[1], q[2], q[3]);
    if (nc >= 16) wasm_v128_store(c, b);
    else wasm_store_first_bytes(c, b, nc);
  } else {
    const v128_t b = pack_codes<T>(q[0], q[1], q[0], q[1]);
    if (nc >= 8) wasm_v128_store64_lane(c, b, 0);
    else wasm_store_first_bytes(c, b, nc);
  }
}

// int16 codes (in range, so the saturating narrow is exact): NV = 4 -> 32 bytes, NV = 2 -> 16 bytes.
template <int NV>
inline void store_codes(int16_t* c, const v128_t (&q)[NV], size_t nc) {
  const v128_t b0 = wasm_i16x8_narrow_i32x4(q[0], q[1]);
  if (nc < 8) {
    wasm_store_first_bytes(c, b0, nc * 2);
    return;
  }
  wasm_v128_store(c, b0);
  if constexpr (NV == 4) {
    const v128_t b1 = wasm_i16x8_narrow_i32x4(q[2], q[3]);
    if (nc >= 16) wasm_v128_store(c + 8, b1);
    else if (nc > 8) wasm_store_first_bytes(c + 8, b1, (nc - 8) * 2);
  }
}

// Rows m and (TWO) m + 1 of one block of 4 * NV columns.
template <int NV, bool TWO, typename TA, typename TC>
inline void rows_block(const TA* a0p, const TA* a1p, size_t kc, const uint8_t* wblk, const v128_t (&init)[NV],
                       const v128_t (&scale)[NV], const RequantSimd& rq, TC* c0, TC* c1, size_t nc) {
  v128_t acc0[NV], acc1[NV];
  for (int v = 0; v < NV; ++v) acc0[v] = acc1[v] = init[v];
  const uint8_t* w = wblk;
  for (size_t kk = 0; kk < kc; kk += 8, w += 4 * NV * 16) {
    const v128_t va0 = load_a(a0p + kk);
    const v128_t va1 = TWO ? load_a(a1p + kk) : va0;
    // Pair j of the 8 activations, broadcast, times the NV weight vectors of that pair.
#define WASMQ_PAIR(j)                                                                                          {                                                                                                            v128_t wv[NV];                                                                                             for (int v = 0; v < NV; ++v) wv[v] = wasm_v128_load(w + ((j) * NV + v) * 16);                              const v128_t s0 = wasm_i32x4_shuffle(va0, va0, j, j, j, j);                                                for (int v = 0; v < NV; ++v) acc0[v] = wasm_i32x4_add(acc0[v], wasm_i32x4_dot_i16x8(s0, wv[v]));           if (TWO) {                                                                                                   const v128_t s1 = wasm_i32x4_shuffle(va1, va1, j, j, j, j);                                                for (int v = 0; v < NV; ++v) acc1[v] = wasm_i32x4_add(acc1[v], wasm_i32x4_dot_i16x8(s1, wv[v]));         }                                                                                                        }
    WASMQ_PAIR(0)
    WASMQ_PAIR(1)
    WASMQ_PAIR(2)
    WASMQ_PAIR(3)
#undef WASMQ_PAIR
  }
  v128_t q[NV];
  for (int v = 0; v < NV; ++v) q[v] = rq.run(acc0[v], scale[v]);
  store_codes<NV>(c0, q, nc);
  if (TWO) {
    for (int v = 0; v < NV; ++v) q[v] = rq.run(acc1[v], scale[v]);
    store_codes<NV>(c1, q, nc);
  }
}

template <int NV, typename TA, typename TC>
void gemm_2xNc2(size_t m_begin, size_t m_end, size_t n_begin, size_t n_end, size_t k, const TA* a, size_t a_stride,
                const void* packed_w, TC* c, size_t c_stride, const QGemmParams& p) {
  constexpr size_t nb = 4 * NV;
  WASMQ_CHECK(n_begin % nb == 0, "qgemm 2xNc2: n_begin must be a multiple of the block width");
  WASMQ_CHECK(p.a_quant_stride == 0, "qgemm 2xNc2: the activation zero point must be per tensor");
  const size_t kc = qs8_gemm_kc(k), bb = qs8_packw_nb_block_bytes(nb, k);
  const v128_t vzp = wasm_i32x4_splat(p.a_zero_point ? p.a_zero_point[0] : 0);
  const RequantSimd rq(p.c_zero_point, p.qmin, p.qmax);
  const uint8_t* blk = static_cast<const uint8_t*>(packed_w) + (n_begin / nb) * bb;
  for (size_t n0 = n_begin; n0 < n_end; n0 += nb, blk += bb) {
    const size_t nc = n_end - n0 < nb ? n_end - n0 : nb;
    v128_t init[NV], scale[NV];
    float sc[nb] = {};
    std::memcpy(sc, p.scale + n0, nc * sizeof(float));  // exactly nc scales read
    for (int v = 0; v < NV; ++v) {
      // bias - a_zp * colsum (mod 2^32)
      init[v] = wasm_i32x4_sub(wasm_v128_load(blk + 16 * v), wasm_i32x4_mul(vzp, wasm_v128_load(blk + 4 * nb + 16 * v)));
      scale[v] = wasm_v128_load(sc + 4 * v);
    }
    const uint8_t* wblk = blk + 8 * nb;
    size_t m = m_begin;
    for (; m + 2 <= m_end; m += 2) {
      rows_block<NV, true>(a + m * a_stride, a + (m + 1) * a_stride, kc, wblk, init, scale, rq, c + m * c_stride + n0,
                           c + (m + 1) * c_stride + n0, nc);
    }
    if (m < m_end) rows_block<NV, false>(a + m * a_stride, a, kc, wblk, init, scale, rq, c + m * c_stride + n0, c, nc);
  }
}

}  // namespace

#define WASMQ_DEFINE_QGEMM_COL(name, T, NV)                                                                    \
  void name(size_t mb, size_t me, size_t nb, size_t ne, size_t k, const T* a, size_t as, const void* w, T* c, \
            size_t cs, const QGemmParams& p) {                                                                \
    gemm_2xNc2<NV, T, T>(mb, me, nb, ne, k, a, as, w, c, cs, p);                                               \
  }
WASMQ_DEFINE_QGEMM_COL(qs8_gemm_minmax_fp32_2x16c2__wasmsimd_dot16x2, int8_t, 4)
WASMQ_DEFINE_QGEMM_COL(qu8_gemm_minmax_fp32_2x16c2__wasmsimd_dot16x2, uint8_t, 4)
WASMQ_DEFINE_QGEMM_COL(qs8_gemm_minmax_fp32_2x8c2__wasmsimd_dot16x2, int8_t, 2)
WASMQ_DEFINE_QGEMM_COL(qu8_gemm_minmax_fp32_2x8c2__wasmsimd_dot16x2, uint8_t, 2)
#undef WASMQ_DEFINE_QGEMM_COL

// int16 activations and/or int16 output (A16W8).
#define WASMQ_DEFINE_QGEMM16_COL(name, TA, TC, NV)                                                               \
  void name(size_t mb, size_t me, size_t nb, size_t ne, size_t k, const TA* a, size_t as, const void* w, TC* c, \
            size_t cs, const QGemmParams& p) {                                                                  \
    gemm_2xNc2<NV, TA, TC>(mb, me, nb, ne, k, a, as, w, c, cs, p);                                               \
  }
WASMQ_DEFINE_QGEMM16_COL(qs8_qs16_gemm_minmax_fp32_2x16c2__wasmsimd_dot16x2, int8_t, int16_t, 4)
WASMQ_DEFINE_QGEMM16_COL(qs8_qs16_gemm_minmax_fp32_2x8c2__wasmsimd_dot16x2, int8_t, int16_t, 2)
WASMQ_DEFINE_QGEMM16_COL(qs16_qs8_gemm_minmax_fp32_2x16c2__wasmsimd_dot16x2, int16_t, int8_t, 4)
WASMQ_DEFINE_QGEMM16_COL(qs16_qs8_gemm_minmax_fp32_2x8c2__wasmsimd_dot16x2, int16_t, int8_t, 2)
WASMQ_DEFINE_QGEMM16_COL(qs16_gemm_minmax_fp32_2x16c2__wasmsimd_dot16x2, int16_t, int16_t, 4)
WASMQ_DEFINE_QGEMM16_COL(qs16_gemm_minmax_fp32_2x8c2__wasmsimd_dot16x2, int16_t, int16_t, 2)
#undef WASMQ_DEFINE_QGEMM16_COL

}  // namespace wasmq

#endif  // WASMQ_HAVE_WASMSIMD

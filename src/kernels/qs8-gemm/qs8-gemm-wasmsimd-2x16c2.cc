// WASM SIMD int8 GEMM on the column-blocked packing (qs8_packw_n16): 2 rows x 16 columns, activation
// pairs broadcast, i32x4.dot_i16x8_s; bit-exact to qs8-gemm-scalar.cc (layout and contract in qs8-gemm.h).
#include <cstring>

#include "common/error.h"
#include "kernels/elementwise/requant-wasmsimd.h"
#include "kernels/qs8-gemm/qs8-gemm.h"

#if defined(WASMQ_HAVE_WASMSIMD)

namespace wasmq {
namespace {

inline v128_t load_a(const int8_t* p) { return wasm_i16x8_load8x8(p); }
inline v128_t load_a(const uint8_t* p) { return wasm_u16x8_load8x8(p); }

// Stores the first n (< 16) bytes of q.
inline void store_tail(void* dst, v128_t q, size_t n) {
  uint8_t* d = static_cast<uint8_t*>(dst);
  if (n & 8) {
    wasm_v128_store64_lane(d, q, 0);
    q = wasm_i64x2_shuffle(q, q, 1, 1);
    d += 8;
  }
  if (n & 4) {
    wasm_v128_store32_lane(d, q, 0);
    q = wasm_u64x2_shr(q, 32);
    d += 4;
  }
  if (n & 2) {
    wasm_v128_store16_lane(d, q, 0);
    q = wasm_u32x4_shr(q, 16);
    d += 2;
  }
  if (n & 1) wasm_v128_store8_lane(d, q, 0);
}

template <typename T>
inline void store16(T* c, v128_t q, size_t nc) {
  if (nc >= 16) wasm_v128_store(c, q);
  else store_tail(c, q, nc);
}

// acc[j] += dot(broadcast pair j of va, the 4 weight vectors of that pair), for the 4 pairs of va.
#define WASMQ_N16_PAIR(j)                                                                   \
  {                                                                                         \
    const v128_t w0 = wasm_v128_load(w + (j) * 64), w1 = wasm_v128_load(w + (j) * 64 + 16); \
    const v128_t w2 = wasm_v128_load(w + (j) * 64 + 32), w3 = wasm_v128_load(w + (j) * 64 + 48); \
    const v128_t s0 = wasm_i32x4_shuffle(va0, va0, j, j, j, j);                             \
    a0 = wasm_i32x4_add(a0, wasm_i32x4_dot_i16x8(s0, w0));                                  \
    a1 = wasm_i32x4_add(a1, wasm_i32x4_dot_i16x8(s0, w1));                                  \
    a2 = wasm_i32x4_add(a2, wasm_i32x4_dot_i16x8(s0, w2));                                  \
    a3 = wasm_i32x4_add(a3, wasm_i32x4_dot_i16x8(s0, w3));                                  \
    if (TWO) {                                                                              \
      const v128_t s1 = wasm_i32x4_shuffle(va1, va1, j, j, j, j);                           \
      b0 = wasm_i32x4_add(b0, wasm_i32x4_dot_i16x8(s1, w0));                                \
      b1 = wasm_i32x4_add(b1, wasm_i32x4_dot_i16x8(s1, w1));                                \
      b2 = wasm_i32x4_add(b2, wasm_i32x4_dot_i16x8(s1, w2));                                \
      b3 = wasm_i32x4_add(b3, wasm_i32x4_dot_i16x8(s1, w3));                                \
    }                                                                                       \
  }

// Rows m and (TWO) m + 1 of one 16-column block.
template <bool TWO, typename T>
inline void rows16(const T* a0p, const T* a1p, size_t kc, const uint8_t* wblk, const v128_t (&init)[4],
                   const v128_t (&scale)[4], const RequantSimd& rq, T* c0, T* c1, size_t nc) {
  v128_t a0 = init[0], a1 = init[1], a2 = init[2], a3 = init[3];
  v128_t b0 = init[0], b1 = init[1], b2 = init[2], b3 = init[3];
  const uint8_t* w = wblk;
  for (size_t kk = 0; kk < kc; kk += 8, w += 4 * 64) {
    const v128_t va0 = load_a(a0p + kk);
    const v128_t va1 = TWO ? load_a(a1p + kk) : va0;
    WASMQ_N16_PAIR(0)
    WASMQ_N16_PAIR(1)
    WASMQ_N16_PAIR(2)
    WASMQ_N16_PAIR(3)
  }
  store16(c0, pack_codes<T>(rq.run(a0, scale[0]), rq.run(a1, scale[1]), rq.run(a2, scale[2]), rq.run(a3, scale[3])), nc);
  if (TWO) {
    store16(c1, pack_codes<T>(rq.run(b0, scale[0]), rq.run(b1, scale[1]), rq.run(b2, scale[2]), rq.run(b3, scale[3])), nc);
  }
}
#undef WASMQ_N16_PAIR

template <typename T>
void gemm_2x16c2(size_t m_begin, size_t m_end, size_t n_begin, size_t n_end, size_t k, const T* a, size_t a_stride,
                 const void* packed_w, T* c, size_t c_stride, const QGemmParams& p) {
  WASMQ_CHECK(n_begin % kQs8GemmN16 == 0, "qgemm 2x16c2: n_begin must be a multiple of 16");
  WASMQ_CHECK(p.a_quant_stride == 0, "qgemm 2x16c2: the activation zero point must be per tensor");
  const size_t kc = qs8_gemm_kc(k), bb = qs8_packw_n16_block_bytes(k);
  const v128_t vzp = wasm_i32x4_splat(p.a_zero_point ? p.a_zero_point[0] : 0);
  const RequantSimd rq(p.c_zero_point, p.qmin, p.qmax);
  const uint8_t* blk = static_cast<const uint8_t*>(packed_w) + (n_begin / kQs8GemmN16) * bb;
  for (size_t n0 = n_begin; n0 < n_end; n0 += kQs8GemmN16, blk += bb) {
    const size_t nc = n_end - n0 < kQs8GemmN16 ? n_end - n0 : kQs8GemmN16;
    v128_t init[4], scale[4];
    float sc[kQs8GemmN16] = {};
    std::memcpy(sc, p.scale + n0, nc * sizeof(float));  // exactly nc scales read
    for (int v = 0; v < 4; ++v) {
      // bias - a_zp * colsum (mod 2^32)
      init[v] = wasm_i32x4_sub(wasm_v128_load(blk + 16 * v), wasm_i32x4_mul(vzp, wasm_v128_load(blk + 64 + 16 * v)));
      scale[v] = wasm_v128_load(sc + 4 * v);
    }
    const uint8_t* wblk = blk + 128;
    size_t m = m_begin;
    for (; m + 2 <= m_end; m += 2) {
      rows16<true>(a + m * a_stride, a + (m + 1) * a_stride, kc, wblk, init, scale, rq, c + m * c_stride + n0,
                   c + (m + 1) * c_stride + n0, nc);
    }
    if (m < m_end) rows16<false>(a + m * a_stride, a, kc, wblk, init, scale, rq, c + m * c_stride + n0, c, nc);
  }
}

}  // namespace

void qs8_gemm_minmax_fp32_2x16c2__wasmsimd_dot16x2(size_t mb, size_t me, size_t nb, size_t ne, size_t k,
                                                    const int8_t* a, size_t as, const void* w, int8_t* c, size_t cs,
                                                    const QGemmParams& p) {
  gemm_2x16c2<int8_t>(mb, me, nb, ne, k, a, as, w, c, cs, p);
}

void qu8_gemm_minmax_fp32_2x16c2__wasmsimd_dot16x2(size_t mb, size_t me, size_t nb, size_t ne, size_t k,
                                                    const uint8_t* a, size_t as, const void* w, uint8_t* c, size_t cs,
                                                    const QGemmParams& p) {
  gemm_2x16c2<uint8_t>(mb, me, nb, ne, k, a, as, w, c, cs, p);
}

}  // namespace wasmq

#endif  // WASMQ_HAVE_WASMSIMD

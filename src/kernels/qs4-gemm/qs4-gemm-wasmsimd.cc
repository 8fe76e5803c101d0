// WASM SIMD block-int4 GEMM/GEMV (f32 x qb4w and qb8 x qb4w), bit-exact to qs4-gemm-scalar.cc.
#include <cstring>

#include "common/error.h"
#include "kernels/qs4-gemm/qs4-gemm.h"
#include "simd/wasm_simd.h"

#if defined(WASMQ_HAVE_WASMSIMD)

namespace wasmq {
namespace {

// 16 packed bytes -> one column's 32-deep sub-block as four int16x8 vectors (k = 0..7, 8..15,
// 16..23, 24..31).
struct Nibbles {
  v128_t t0, t1, t2, t3;
};
// The nibble fields in place: u * 1, u * 16, u * 256, u * 1 (one op each; see qs4-gemm.h).
inline Nibbles fields(const uint8_t* p) {
  const v128_t v = wasm_v128_load(p);
  return Nibbles{wasm_v128_and(v, wasm_i16x8_splat(0x000F)), wasm_v128_and(v, wasm_i16x8_splat(0x00F0)),
                 wasm_v128_and(v, wasm_i16x8_splat(0x0F00)), wasm_u16x8_shr(v, 12)};
}
// The weights q = u - 8 themselves.
inline Nibbles unpack(const uint8_t* p) {
  const v128_t v = wasm_v128_load(p);
  const v128_t mask = wasm_i16x8_splat(0x000F), eight = wasm_i16x8_splat(8);
  return Nibbles{wasm_i16x8_sub(wasm_v128_and(v, mask), eight),
                 wasm_i16x8_sub(wasm_v128_and(wasm_u16x8_shr(v, 4), mask), eight),
                 wasm_i16x8_sub(wasm_v128_and(wasm_u16x8_shr(v, 8), mask), eight),
                 wasm_i16x8_sub(wasm_u16x8_shr(v, 12), eight)};
}

// Four per-column vectors -> one vector of column totals, lane sums as (l0 + l2) + (l1 + l3).
inline v128_t reduce4_f32(v128_t c0, v128_t c1, v128_t c2, v128_t c3) {
  const v128_t c01 = wasm_f32x4_add(wasm_i32x4_shuffle(c0, c1, 0, 4, 1, 5), wasm_i32x4_shuffle(c0, c1, 2, 6, 3, 7));
  const v128_t c23 = wasm_f32x4_add(wasm_i32x4_shuffle(c2, c3, 0, 4, 1, 5), wasm_i32x4_shuffle(c2, c3, 2, 6, 3, 7));
  return wasm_f32x4_add(wasm_i32x4_shuffle(c01, c23, 0, 1, 4, 5), wasm_i32x4_shuffle(c01, c23, 2, 3, 6, 7));
}
inline v128_t reduce4_i32(v128_t c0, v128_t c1, v128_t c2, v128_t c3) {
  const v128_t c01 = wasm_i32x4_add(wasm_i32x4_shuffle(c0, c1, 0, 4, 1, 5), wasm_i32x4_shuffle(c0, c1, 2, 6, 3, 7));
  const v128_t c23 = wasm_i32x4_add(wasm_i32x4_shuffle(c2, c3, 0, 4, 1, 5), wasm_i32x4_shuffle(c2, c3, 2, 6, 3, 7));
  return wasm_i32x4_add(wasm_i32x4_shuffle(c01, c23, 0, 1, 4, 5), wasm_i32x4_shuffle(c01, c23, 2, 3, 6, 7));
}

inline v128_t load_partial(const float* p, size_t nc) {
  if (nc == 4) return wasm_v128_load(p);
  float t[4] = {0.0f, 0.0f, 0.0f, 0.0f};
  std::memcpy(t, p, nc * sizeof(float));
  return wasm_v128_load(t);
}

struct Finish {
  const float* bias;
  v128_t lo, hi;
  explicit Finish(const Qs4Params& p) : bias(p.bias), lo(wasm_f32x4_splat(p.fmin)), hi(wasm_f32x4_splat(p.fmax)) {}
  void store(float* c, v128_t y, size_t n, size_t nc) const {
    if (bias) y = wasm_f32x4_add(y, load_partial(bias + n, nc));
    y = wasm_f32x4_pmin(wasm_f32x4_pmax(y, lo), hi);
    if (nc == 4) {
      wasm_v128_store(c, y);
    } else {
      float t[4];
      wasm_v128_store(t, y);
      std::memcpy(c, t, nc * sizeof(float));
    }
  }
};

// ---- qb8 x qb4w ----

template <int MR>
inline void qb8_tile(size_t n0, size_t nc, size_t nb, size_t block, const int16_t* const (&ar)[MR],
                     const int32_t* const (&sumr)[MR], const float* const (&sr)[MR], const uint8_t* g,
                     float* const (&cr)[MR], const Finish& fin) {
  v128_t y[MR];
  for (int r = 0; r < MR; ++r) y[r] = wasm_f32x4_const(0, 0, 0, 0);
  for (size_t b = 0; b < nb; ++b) {
    const v128_t wscale = wasm_v128_load(g);
    g += kQs4NR * sizeof(float);
    v128_t acc[MR][4];
    for (int r = 0; r < MR; ++r) {
      for (int j = 0; j < 4; ++j) acc[r][j] = wasm_i32x4_const(0, 0, 0, 0);
    }
    for (size_t kk = 0; kk < block; kk += 32) {
      v128_t va[MR][4];
      for (int r = 0; r < MR; ++r) {
        const int16_t* x = ar[r] + b * block + kk;
        va[r][0] = wasm_v128_load(x);
        va[r][1] = wasm_v128_load(x + 8);
        va[r][2] = wasm_v128_load(x + 16);
        va[r][3] = wasm_v128_load(x + 24);
      }
      for (int j = 0; j < 4; ++j) {
        const Nibbles w = fields(g + 16 * j);
        for (int r = 0; r < MR; ++r) {
          const v128_t s01 = wasm_i32x4_add(wasm_i32x4_dot_i16x8(va[r][0], w.t0), wasm_i32x4_dot_i16x8(va[r][1], w.t1));
          const v128_t s23 = wasm_i32x4_add(wasm_i32x4_dot_i16x8(va[r][2], w.t2), wasm_i32x4_dot_i16x8(va[r][3], w.t3));
          acc[r][j] = wasm_i32x4_add(acc[r][j], wasm_i32x4_add(s01, s23));
        }
      }
      g += 64;
    }
    for (int r = 0; r < MR; ++r) {
      // s = sum u * a - 8 * sum a = sum q * a, exact.
      const v128_t su = wasm_i32x4_shr(reduce4_i32(acc[r][0], acc[r][1], acc[r][2], acc[r][3]), 8);
      const v128_t si = wasm_i32x4_sub(su, wasm_i32x4_splat(8 * sumr[r][b]));
      y[r] = wasm_f32x4_add(y[r], wasm_f32x4_mul(wasm_f32x4_convert_i32x4(si),
                                                 wasm_f32x4_mul(wasm_f32x4_splat(sr[r][b]), wscale)));
    }
  }
  for (int r = 0; r < MR; ++r) fin.store(cr[r] + n0, y[r], n0, nc);
}

template <int MR>
void qb8_rows(size_t m, size_t n_begin, size_t n_end, size_t k, size_t block, const Qb8Act& act, const void* w,
              float* c, size_t c_stride, const Finish& fin) {
  const size_t nb = qs4_blocks(k, block), gb = qs4_group_bytes(k, block);
  const int16_t* ar[MR];
  const int32_t* sumr[MR];
  const float* sr[MR];
  float* cr[MR];
  for (int r = 0; r < MR; ++r) {
    ar[r] = act.packed + (m + r) * nb * block;
    sumr[r] = act.sums + (m + r) * nb;
    sr[r] = act.scales + (m + r) * nb;
    cr[r] = c + (m + r) * c_stride;
  }
  const uint8_t* g = static_cast<const uint8_t*>(w) + (n_begin / kQs4NR) * gb;
  for (size_t n0 = n_begin; n0 < n_end; n0 += kQs4NR, g += gb) {
    qb8_tile<MR>(n0, n_end - n0 < kQs4NR ? n_end - n0 : kQs4NR, nb, block, ar, sumr, sr, g, cr, fin);
  }
}

template <int MR>
void qb8_gemm(size_t m_begin, size_t m_end, size_t n_begin, size_t n_end, size_t k, size_t block, const Qb8Act& act,
              const void* w, float* c, size_t c_stride, const Qs4Params& p) {
  WASMQ_CHECK(n_begin % kQs4NR == 0, "qb4w gemm: n_begin must be a multiple of 4");
  WASMQ_CHECK(block <= 4096, "qb8 x qb4w: block must be <= 4096 (int32 field sums)");
  const Finish fin(p);
  size_t m = m_begin;
  for (; m + MR <= m_end; m += MR) qb8_rows<MR>(m, n_begin, n_end, k, block, act, w, c, c_stride, fin);
  for (; m < m_end; ++m) qb8_rows<1>(m, n_begin, n_end, k, block, act, w, c, c_stride, fin);
}

// ---- f32 x qb4w ----

// a[0..7] * float(w16[0..7]) accumulated into p (lanes = k mod 4): two 4-element chunks in k order.
// int16 -> int32 by duplicating each lane into both halves and an arithmetic shift: clang 14 turns
// extend + convert into sitofp <4 x i16>, which it scalarizes (lane by lane) for wasm.
inline v128_t madd8(v128_t p, const float* a, v128_t w16) {
  const v128_t lo = wasm_f32x4_convert_i32x4(wasm_i32x4_shr(wasm_i16x8_shuffle(w16, w16, 0, 0, 1, 1, 2, 2, 3, 3), 16));
  const v128_t hi = wasm_f32x4_convert_i32x4(wasm_i32x4_shr(wasm_i16x8_shuffle(w16, w16, 4, 4, 5, 5, 6, 6, 7, 7), 16));
  p = wasm_f32x4_add(p, wasm_f32x4_mul(wasm_v128_load(a), lo));
  return wasm_f32x4_add(p, wasm_f32x4_mul(wasm_v128_load(a + 4), hi));
}

template <int MR>
inline void f32_tile(size_t n0, size_t nc, size_t k, size_t nb, size_t block, const float* const (&ar)[MR],
                     const uint8_t* g, float* const (&cr)[MR], const Finish& fin) {
  v128_t y[MR];
  for (int r = 0; r < MR; ++r) y[r] = wasm_f32x4_const(0, 0, 0, 0);
  float tail[MR][32];
  for (size_t b = 0; b < nb; ++b) {
    const v128_t wscale = wasm_v128_load(g);
    g += kQs4NR * sizeof(float);
    v128_t part[MR][4];
    for (int r = 0; r < MR; ++r) {
      for (int j = 0; j < 4; ++j) part[r][j] = wasm_f32x4_const(0, 0, 0, 0);
    }
    for (size_t kk = 0; kk < block; kk += 32) {
      const size_t k0 = b * block + kk;
      const float* x[MR];
      for (int r = 0; r < MR; ++r) {
        x[r] = ar[r] + k0;
        if (k0 + 32 > k) {  // partial (or empty) last sub-block: zero-padded copy, no read past K
          std::memset(tail[r], 0, sizeof tail[r]);
          if (k0 < k) std::memcpy(tail[r], x[r], (k - k0) * sizeof(float));
          x[r] = tail[r];
        }
      }
      for (int j = 0; j < 4; ++j) {
        const Nibbles w = unpack(g + 16 * j);
        for (int r = 0; r < MR; ++r) {
          v128_t pj = part[r][j];
          pj = madd8(pj, x[r], w.t0);
          pj = madd8(pj, x[r] + 8, w.t1);
          pj = madd8(pj, x[r] + 16, w.t2);
          part[r][j] = madd8(pj, x[r] + 24, w.t3);
        }
      }
      g += 64;
    }
    for (int r = 0; r < MR; ++r) {
      const v128_t s = reduce4_f32(part[r][0], part[r][1], part[r][2], part[r][3]);
      y[r] = wasm_f32x4_add(y[r], wasm_f32x4_mul(s, wscale));
    }
  }
  for (int r = 0; r < MR; ++r) fin.store(cr[r] + n0, y[r], n0, nc);
}

template <int MR>
void f32_rows(size_t m, size_t n_begin, size_t n_end, size_t k, size_t block, const float* a, size_t a_stride,
              const void* w, float* c, size_t c_stride, const Finish& fin) {
  const size_t nb = qs4_blocks(k, block), gb = qs4_group_bytes(k, block);
  const float* ar[MR];
  float* cr[MR];
  for (int r = 0; r < MR; ++r) {
    ar[r] = a + (m + r) * a_stride;
    cr[r] = c + (m + r) * c_stride;
  }
  const uint8_t* g = static_cast<const uint8_t*>(w) + (n_begin / kQs4NR) * gb;
  for (size_t n0 = n_begin; n0 < n_end; n0 += kQs4NR, g += gb) {
    f32_tile<MR>(n0, n_end - n0 < kQs4NR ? n_end - n0 : kQs4NR, k, nb, block, ar, g, cr, fin);
  }
}

template <int MR>
void f32_gemm(size_t m_begin, size_t m_end, size_t n_begin, size_t n_end, size_t k, size_t block, const float* a,
              size_t a_stride, const void* w, float* c, size_t c_stride, const Qs4Params& p) {
  WASMQ_CHECK(n_begin % kQs4NR == 0, "qb4w gemm: n_begin must be a multiple of 4");
  const Finish fin(p);
  size_t m = m_begin;
  for (; m + MR <= m_end; m += MR) f32_rows<MR>(m, n_begin, n_end, k, block, a, a_stride, w, c, c_stride, fin);
  for (; m < m_end; ++m) f32_rows<1>(m, n_begin, n_end, k, block, a, a_stride, w, c, c_stride, fin);
}

}  // namespace

#define WASMQ_DEFINE_QS4(suffix, MR)                                                                             \
  void f32_qb4w_gemm_minmax__##suffix(size_t mb, size_t me, size_t nb, size_t ne, size_t k, size_t block,         \
                                      const float* a, size_t as, const void* w, float* c, size_t cs,              \
                                      const Qs4Params& p) {                                                       \
    f32_gemm<MR>(mb, me, nb, ne, k, block, a, as, w, c, cs, p);                                                   \
  }                                                                                                              \
  void qb8_qb4w_gemm_minmax__##suffix(size_t mb, size_t me, size_t nb, size_t ne, size_t k, size_t block,         \
                                      const Qb8Act& act, const void* w, float* c, size_t cs, const Qs4Params& p) { \
    qb8_gemm<MR>(mb, me, nb, ne, k, block, act, w, c, cs, p);                                                     \
  }

WASMQ_DEFINE_QS4(wasmsimd_1x4c32, 1)
WASMQ_DEFINE_QS4(wasmsimd_4x4c32, 4)

}  // namespace wasmq

#endif  // WASMQ_HAVE_WASMSIMD

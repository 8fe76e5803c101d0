// WASM SIMD int8/int16-activation GEMM, MRx4 tiles with K blocks of 8 (int8 or int16-packed weights) + i32x4.dot_i16x8_s.
// Bit-exact to qs8-gemm-scalar.cc: integer sums wrap mod 2^32 in both, and the epilogues do the
// same float32 operations (requantize_fp32 spelled in lanes; pmin/pmax are std::min/std::max).
#include <cstring>

#include "common/error.h"
#include "kernels/qs8-gemm/qs8-gemm.h"
#include "simd/wasm_simd.h"

#if defined(WASMQ_HAVE_WASMSIMD)

namespace wasmq {
namespace {

inline v128_t load_a(const int8_t* p) { return wasm_i16x8_load8x8(p); }
inline v128_t load_a(const uint8_t* p) { return wasm_u16x8_load8x8(p); }
inline v128_t load_a(const int16_t* p) { return wasm_v128_load(p); }  // 8 int16: |a * w| <= 2^22, pairs <= 2^23
inline v128_t load_b(const int8_t* p) { return wasm_i16x8_load8x8(p); }
inline v128_t load_b(const int16_t* p) { return wasm_v128_load(p); }

// Four i32x4 partial-sum vectors (one per column) -> one vector of the four column totals.
inline v128_t reduce4(v128_t c0, v128_t c1, v128_t c2, v128_t c3) {
  const v128_t c01 = wasm_i32x4_add(wasm_i32x4_shuffle(c0, c1, 0, 4, 1, 5), wasm_i32x4_shuffle(c0, c1, 2, 6, 3, 7));
  const v128_t c23 = wasm_i32x4_add(wasm_i32x4_shuffle(c2, c3, 0, 4, 1, 5), wasm_i32x4_shuffle(c2, c3, 2, 6, 3, 7));
  return wasm_i32x4_add(wasm_i32x4_shuffle(c01, c23, 0, 1, 4, 5), wasm_i32x4_shuffle(c01, c23, 2, 3, 6, 7));
}

// Loads scale[n..n+nc) (nc <= 4) without reading past the array.
inline v128_t load_f32_partial(const float* p, size_t nc) {
  if (nc == 4) return wasm_v128_load(p);
  float t[4] = {0.0f, 0.0f, 0.0f, 0.0f};
  std::memcpy(t, p, nc * sizeof(float));
  return wasm_v128_load(t);
}

inline void store_partial(int32_t* c, v128_t v, size_t nc) {
  if (nc == 4) {
    wasm_v128_store(c, v);
  } else {
    int32_t t[4];
    wasm_v128_store(t, v);
    std::memcpy(c, t, nc * sizeof(int32_t));
  }
}
inline void store_partial(float* c, v128_t v, size_t nc) {
  store_partial(reinterpret_cast<int32_t*>(c), v, nc);
}
template <typename T8>
inline void store_partial8(T8* c, v128_t bytes, size_t nc) {
  if (nc == 4) {
    wasm_v128_store32_lane(c, bytes, 0);
  } else {
    uint8_t t[16];
    wasm_v128_store(t, bytes);
    std::memcpy(c, t, nc);
  }
}

// Output stage, built once per call (its constants then live in registers: stores to an 8-bit C
// may alias QGemmParams, so nothing is re-read from p inside the loops).
// cols(): per-column vectors for one group; row(): per-row vector; store(): one row of 4 outputs.
struct Cols {
  v128_t scale, bias;
};

template <typename TC>
struct Epilogue;

template <>
struct Epilogue<int32_t> {
  explicit Epilogue(const QGemmParams&) {}
  Cols cols(size_t, size_t) const { return Cols{wasm_i32x4_const(0, 0, 0, 0), wasm_i32x4_const(0, 0, 0, 0)}; }
  v128_t row(size_t) const { return wasm_i32x4_const(0, 0, 0, 0); }
  void store(int32_t* c, v128_t acc, v128_t, const Cols&, size_t nc) const { store_partial(c, acc, nc); }
};

// requantize_fp32 on four lanes: clamp in float, magic-number round half to even, add zero point.
struct RequantEpilogue {
  const float* scale;
  v128_t lo, hi, magic, bias;
  explicit RequantEpilogue(const QGemmParams& p)
      : scale(p.scale),
        lo(wasm_f32x4_splat(static_cast<float>(p.qmin - p.c_zero_point))),
        hi(wasm_f32x4_splat(static_cast<float>(p.qmax - p.c_zero_point))),
        magic(wasm_f32x4_splat(12582912.0f)),
        bias(wasm_i32x4_splat(0x4B400000 - p.c_zero_point)) {}
  Cols cols(size_t n, size_t nc) const { return Cols{load_f32_partial(scale + n, nc), wasm_i32x4_const(0, 0, 0, 0)}; }
  v128_t row(size_t) const { return wasm_i32x4_const(0, 0, 0, 0); }
  // int32 lanes in [qmin, qmax], narrowed (exactly) to 16 bits in both halves.
  v128_t requant16(v128_t acc, const Cols& cs) const {
    v128_t v = wasm_f32x4_mul(wasm_f32x4_convert_i32x4(acc), cs.scale);
    v = wasm_f32x4_pmin(wasm_f32x4_pmax(v, lo), hi);
    const v128_t q = wasm_i32x4_sub(wasm_f32x4_add(v, magic), bias);
    return wasm_i16x8_narrow_i32x4(q, q);
  }
};

template <>
struct Epilogue<int8_t> : RequantEpilogue {
  using RequantEpilogue::RequantEpilogue;
  void store(int8_t* c, v128_t acc, v128_t, const Cols& cs, size_t nc) const {
    const v128_t q16 = requant16(acc, cs);
    store_partial8(c, wasm_i8x16_narrow_i16x8(q16, q16), nc);
  }
};

template <>
struct Epilogue<uint8_t> : RequantEpilogue {
  using RequantEpilogue::RequantEpilogue;
  void store(uint8_t* c, v128_t acc, v128_t, const Cols& cs, size_t nc) const {
    const v128_t q16 = requant16(acc, cs);
    store_partial8(c, wasm_u8x16_narrow_i16x8(q16, q16), nc);
  }
};

// int16 output: the four requantized lanes (already in [qmin, qmax], so the saturating narrow is exact).
template <>
struct Epilogue<int16_t> : RequantEpilogue {
  using RequantEpilogue::RequantEpilogue;
  void store(int16_t* c, v128_t acc, v128_t, const Cols& cs, size_t nc) const {
    const v128_t q16 = requant16(acc, cs);
    if (nc == 4) {
      wasm_v128_store64_lane(c, q16, 0);
    } else {
      int16_t t[8];
      wasm_v128_store(t, q16);
      std::memcpy(c, t, nc * sizeof(int16_t));
    }
  }
};

// y = float(acc) * (a_scale[m] * w_scale[n]) + fbias[n], clamped.
template <>
struct Epilogue<float> {
  const float *a_scale, *scale, *fbias;
  size_t a_stride;
  v128_t lo, hi;
  explicit Epilogue(const QGemmParams& p)
      : a_scale(p.a_scale), scale(p.scale), fbias(p.fbias), a_stride(p.a_quant_stride),
        lo(wasm_f32x4_splat(p.fmin)), hi(wasm_f32x4_splat(p.fmax)) {}
  Cols cols(size_t n, size_t nc) const {
    return Cols{load_f32_partial(scale + n, nc), fbias ? load_f32_partial(fbias + n, nc) : wasm_f32x4_const(0, 0, 0, 0)};
  }
  v128_t row(size_t m) const { return wasm_f32x4_splat(a_scale[m * a_stride]); }
  void store(float* c, v128_t acc, v128_t a_scale_m, const Cols& cs, size_t nc) const {
    v128_t y = wasm_f32x4_mul(wasm_f32x4_convert_i32x4(acc), wasm_f32x4_mul(a_scale_m, cs.scale));
    if (fbias) y = wasm_f32x4_add(y, cs.bias);
    y = wasm_f32x4_pmin(wasm_f32x4_pmax(y, lo), hi);
    store_partial(c, y, nc);
  }
};

// One MR x 4 tile: rows m..m+MR, columns n0..n0+nc of the packed group g.
template <int MR, typename TW, typename TA, typename TC>
inline void tile(size_t n0, size_t nc, size_t kc, const TA* const (&ar)[MR], const v128_t (&vzp)[MR],
                 const v128_t (&vrow)[MR], const uint8_t* g, TC* const (&cr)[MR], const Epilogue<TC>& ep) {
  v128_t acc[MR][4];
  for (int r = 0; r < MR; ++r) {
    for (int j = 0; j < 4; ++j) acc[r][j] = wasm_i32x4_const(0, 0, 0, 0);
  }
  const TW* w = reinterpret_cast<const TW*>(g + 8 * kQs8GemmNR);
  for (size_t kk = 0; kk < kc; kk += 8) {
    v128_t va[MR];
    for (int r = 0; r < MR; ++r) va[r] = load_a(ar[r] + kk);
    for (int j = 0; j < 4; ++j) {
      const v128_t vb = load_b(w + 8 * j);
      for (int r = 0; r < MR; ++r) acc[r][j] = wasm_i32x4_add(acc[r][j], wasm_i32x4_dot_i16x8(va[r], vb));
    }
    w += 32;
  }
  const v128_t vbias = wasm_v128_load(g);
  const v128_t vcolsum = wasm_v128_load(g + 16);
  const Cols cs = ep.cols(n0, nc);
  for (int r = 0; r < MR; ++r) {
    // bias - a_zp * colsum + sum a * w  (mod 2^32)
    const v128_t init = wasm_i32x4_sub(vbias, wasm_i32x4_mul(vzp[r], vcolsum));
    const v128_t total = wasm_i32x4_add(init, reduce4(acc[r][0], acc[r][1], acc[r][2], acc[r][3]));
    ep.store(cr[r] + n0, total, vrow[r], cs, nc);
  }
}

template <int MR, typename TW, typename TA, typename TC>
inline void rows(size_t m, size_t n_begin, size_t n_end, size_t k, const TA* a, size_t a_stride,
                 const void* packed_w, TC* c, size_t c_stride, const QGemmParams& p, const Epilogue<TC>& ep) {
  const size_t kc = qs8_gemm_kc(k);
  const size_t group_bytes = qs8_packw_group_bytes(k, sizeof(TW));
  const TA* ar[MR];
  TC* cr[MR];
  v128_t vzp[MR], vrow[MR];
  for (int r = 0; r < MR; ++r) {
    ar[r] = a + (m + r) * a_stride;
    cr[r] = c + (m + r) * c_stride;
    vzp[r] = wasm_i32x4_splat(p.a_zero_point ? p.a_zero_point[(m + r) * p.a_quant_stride] : 0);
    vrow[r] = ep.row(m + r);
  }
  const uint8_t* g = static_cast<const uint8_t*>(packed_w) + (n_begin / kQs8GemmNR) * group_bytes;
  for (size_t n0 = n_begin; n0 < n_end; n0 += kQs8GemmNR, g += group_bytes) {
    const size_t nc = n_end - n0 < kQs8GemmNR ? n_end - n0 : kQs8GemmNR;
    tile<MR, TW>(n0, nc, kc, ar, vzp, vrow, g, cr, ep);
  }
}

template <int MR, typename TW, typename TA, typename TC>
void gemm_mx4(size_t m_begin, size_t m_end, size_t n_begin, size_t n_end, size_t k, const TA* a, size_t a_stride,
              const void* w, TC* c, size_t c_stride, const QGemmParams& p) {
  WASMQ_CHECK(n_begin % kQs8GemmNR == 0, "qgemm: n_begin must be a multiple of 4");
  const Epilogue<TC> ep(p);
  // Column blocks whose packed weights stay in cache (~128 KiB) while every row tile passes over them.
  const size_t group_bytes = qs8_packw_group_bytes(k, sizeof(TW));
  size_t nb = (128 * 1024 / group_bytes) * kQs8GemmNR;
  if (nb < kQs8GemmNR) nb = kQs8GemmNR;
  for (size_t n0 = n_begin; n0 < n_end; n0 += nb) {
    const size_t n1 = n_end - n0 < nb ? n_end : n0 + nb;
    size_t m = m_begin;
    for (; m + MR <= m_end; m += MR) rows<MR, TW>(m, n0, n1, k, a, a_stride, w, c, c_stride, p, ep);
    if (MR > 2 && m + 2 <= m_end) {
      rows<2, TW>(m, n0, n1, k, a, a_stride, w, c, c_stride, p, ep);
      m += 2;
    }
    if (MR > 1 && m < m_end) rows<1, TW>(m, n0, n1, k, a, a_stride, w, c, c_stride, p, ep);
  }
}

#define WASMQ_QGEMM_DRIVER(name, MR, TW)                                                                  \
  template <typename TA, typename TC>                                                                     \
  void name(size_t mb, size_t me, size_t nb, size_t ne, size_t k, const TA* a, size_t as, const void* w, TC* c, \
            size_t cs, const QGemmParams& p) {                                                            \
    gemm_mx4<MR, TW>(mb, me, nb, ne, k, a, as, w, c, cs, p);                                              \
  }
WASMQ_QGEMM_DRIVER(gemm_4x4, 4, int8_t)
WASMQ_QGEMM_DRIVER(gemm_2x4, 2, int8_t)
WASMQ_QGEMM_DRIVER(gemm_1x4, 1, int8_t)
WASMQ_QGEMM_DRIVER(gemm_4x4w16, 4, int16_t)
WASMQ_QGEMM_DRIVER(gemm_2x4w16, 2, int16_t)
WASMQ_QGEMM_DRIVER(gemm_1x4w16, 1, int16_t)
#undef WASMQ_QGEMM_DRIVER

}  // namespace

#define WASMQ_DEFINE_QGEMM(name, TA, TC, impl)                                                          \
  void name(size_t mb, size_t me, size_t nb, size_t ne, size_t k, const TA* a, size_t as, const void* w, \
            TC* c, size_t cs, const QGemmParams& p) {                                                  \
    impl<TA, TC>(mb, me, nb, ne, k, a, as, w, c, cs, p);                                                \
  }
#define WASMQ_DEFINE_QGEMM_FAMILY(suffix, impl)                                 \
  WASMQ_DEFINE_QGEMM(qs8_gemm_acc32__##suffix, int8_t, int32_t, impl)           \
  WASMQ_DEFINE_QGEMM(qu8_gemm_acc32__##suffix, uint8_t, int32_t, impl)          \
  WASMQ_DEFINE_QGEMM(qs8_gemm_minmax_fp32__##suffix, int8_t, int8_t, impl)      \
  WASMQ_DEFINE_QGEMM(qu8_gemm_minmax_fp32__##suffix, uint8_t, uint8_t, impl)    \
  WASMQ_DEFINE_QGEMM(qs8_gemm_f32__##suffix, int8_t, float, impl)               \
  WASMQ_DEFINE_QGEMM(qu8_gemm_f32__##suffix, uint8_t, float, impl)

WASMQ_DEFINE_QGEMM_FAMILY(wasmsimd_dot16x2_4x4c8, gemm_4x4)
WASMQ_DEFINE_QGEMM_FAMILY(wasmsimd_dot16x2_2x4c8, gemm_2x4)
WASMQ_DEFINE_QGEMM_FAMILY(wasmsimd_dot16x2_1x4c8, gemm_1x4)
WASMQ_DEFINE_QGEMM_FAMILY(wasmsimd_dot16x2_4x4c8w16, gemm_4x4w16)
WASMQ_DEFINE_QGEMM_FAMILY(wasmsimd_dot16x2_2x4c8w16, gemm_2x4w16)
WASMQ_DEFINE_QGEMM_FAMILY(wasmsimd_dot16x2_1x4c8w16, gemm_1x4w16)

// int16 activations and/or int16 output (A16W8).
#define WASMQ_DEFINE_QGEMM16_FAMILY(suffix, impl)                                 \
  WASMQ_DEFINE_QGEMM(qs8_qs16_gemm_minmax_fp32__##suffix, int8_t, int16_t, impl)  \
  WASMQ_DEFINE_QGEMM(qs16_qs8_gemm_minmax_fp32__##suffix, int16_t, int8_t, impl)  \
  WASMQ_DEFINE_QGEMM(qs16_gemm_minmax_fp32__##suffix, int16_t, int16_t, impl)

WASMQ_DEFINE_QGEMM16_FAMILY(wasmsimd_dot16x2_4x4c8, gemm_4x4)
WASMQ_DEFINE_QGEMM16_FAMILY(wasmsimd_dot16x2_2x4c8, gemm_2x4)
WASMQ_DEFINE_QGEMM16_FAMILY(wasmsimd_dot16x2_1x4c8, gemm_1x4)
WASMQ_DEFINE_QGEMM16_FAMILY(wasmsimd_dot16x2_4x4c8w16, gemm_4x4w16)
WASMQ_DEFINE_QGEMM16_FAMILY(wasmsimd_dot16x2_2x4c8w16, gemm_2x4w16)
WASMQ_DEFINE_QGEMM16_FAMILY(wasmsimd_dot16x2_1x4c8w16, gemm_1x4w16)

}  // namespace wasmq

#endif  // WASMQ_HAVE_WASMSIMD

// WASM SIMD int8 GEMM, MRx4 tiles with K blocks of 8: load8x8 extension + i32x4.dot_i16x8_s.
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

// requantize_fp32 on four lanes: clamp in float, magic-number round half to even, add zero point.
struct Requant {
  v128_t lo, hi, magic, bias;
  explicit Requant(const QGemmParams& p)
      : lo(wasm_f32x4_splat(static_cast<float>(p.qmin - p.c_zero_point))),
        hi(wasm_f32x4_splat(static_cast<float>(p.qmax - p.c_zero_point))),
        magic(wasm_f32x4_splat(12582912.0f)),
        bias(wasm_i32x4_splat(0x4B400000 - p.c_zero_point)) {}
  v128_t operator()(v128_t acc, v128_t scale) const {
    v128_t v = wasm_f32x4_mul(wasm_f32x4_convert_i32x4(acc), scale);
    v = wasm_f32x4_pmin(wasm_f32x4_pmax(v, lo), hi);
    return wasm_i32x4_sub(wasm_f32x4_add(v, magic), bias);
  }
};

inline void store_out(int32_t* c, v128_t acc, size_t, size_t, size_t nc, const QGemmParams&) {
  store_partial(c, acc, nc);
}
inline void store_out(int8_t* c, v128_t acc, size_t, size_t n, size_t nc, const QGemmParams& p) {
  const v128_t q = Requant(p)(acc, load_f32_partial(p.scale + n, nc));
  const v128_t q16 = wasm_i16x8_narrow_i32x4(q, q);
  store_partial8(c, wasm_i8x16_narrow_i16x8(q16, q16), nc);
}
inline void store_out(uint8_t* c, v128_t acc, size_t, size_t n, size_t nc, const QGemmParams& p) {
  const v128_t q = Requant(p)(acc, load_f32_partial(p.scale + n, nc));
  const v128_t q16 = wasm_i16x8_narrow_i32x4(q, q);
  store_partial8(c, wasm_u8x16_narrow_i16x8(q16, q16), nc);
}
inline void store_out(float* c, v128_t acc, size_t m, size_t n, size_t nc, const QGemmParams& p) {
  const v128_t s = wasm_f32x4_mul(wasm_f32x4_splat(p.a_scale[m * p.a_quant_stride]), load_f32_partial(p.scale + n, nc));
  v128_t y = wasm_f32x4_mul(wasm_f32x4_convert_i32x4(acc), s);
  if (p.fbias) y = wasm_f32x4_add(y, load_f32_partial(p.fbias + n, nc));
  y = wasm_f32x4_pmin(wasm_f32x4_pmax(y, wasm_f32x4_splat(p.fmin)), wasm_f32x4_splat(p.fmax));
  store_partial(c, y, nc);
}

// One MR x 4 tile: rows m..m+MR, columns n0..n0+nc of the packed group g.
template <int MR, typename TA, typename TC>
inline void tile(size_t m, size_t n0, size_t nc, size_t kc, const TA* a, size_t a_stride, const uint8_t* g,
                 TC* c, size_t c_stride, const QGemmParams& p) {
  const TA* ar[MR];
  v128_t acc[MR][4];
  for (int r = 0; r < MR; ++r) {
    ar[r] = a + (m + r) * a_stride;
    for (int j = 0; j < 4; ++j) acc[r][j] = wasm_i32x4_const(0, 0, 0, 0);
  }
  const int8_t* w = reinterpret_cast<const int8_t*>(g + 8 * kQs8GemmNR);
  for (size_t kk = 0; kk < kc; kk += 8) {
    v128_t va[MR];
    for (int r = 0; r < MR; ++r) va[r] = load_a(ar[r] + kk);
    for (int j = 0; j < 4; ++j) {
      const v128_t vb = wasm_i16x8_load8x8(w + 8 * j);
      for (int r = 0; r < MR; ++r) acc[r][j] = wasm_i32x4_add(acc[r][j], wasm_i32x4_dot_i16x8(va[r], vb));
    }
    w += 32;
  }
  const v128_t vbias = wasm_v128_load(g);
  const v128_t vcolsum = wasm_v128_load(g + 16);
  for (int r = 0; r < MR; ++r) {
    const int32_t zp = p.a_zero_point ? p.a_zero_point[(m + r) * p.a_quant_stride] : 0;
    const v128_t init = wasm_i32x4_sub(vbias, wasm_i32x4_mul(wasm_i32x4_splat(zp), vcolsum));
    const v128_t total = wasm_i32x4_add(init, reduce4(acc[r][0], acc[r][1], acc[r][2], acc[r][3]));
    store_out(c + (m + r) * c_stride + n0, total, m + r, n0, nc, p);
  }
}

template <int MR, typename TA, typename TC>
inline void rows(size_t m, size_t n_begin, size_t n_end, size_t k, const TA* a, size_t a_stride,
                 const void* packed_w, TC* c, size_t c_stride, const QGemmParams& p) {
  const size_t kc = qs8_gemm_kc(k);
  const size_t group_bytes = kQs8GemmNR * 8 + kQs8GemmNR * kc;
  const uint8_t* g = static_cast<const uint8_t*>(packed_w) + (n_begin / kQs8GemmNR) * group_bytes;
  for (size_t n0 = n_begin; n0 < n_end; n0 += kQs8GemmNR, g += group_bytes) {
    const size_t nc = n_end - n0 < kQs8GemmNR ? n_end - n0 : kQs8GemmNR;
    tile<MR>(m, n0, nc, kc, a, a_stride, g, c, c_stride, p);
  }
}

template <typename TA, typename TC>
void gemm_4x4(size_t m_begin, size_t m_end, size_t n_begin, size_t n_end, size_t k, const TA* a, size_t a_stride,
              const void* w, TC* c, size_t c_stride, const QGemmParams& p) {
  WASMQ_CHECK(n_begin % kQs8GemmNR == 0, "qgemm: n_begin must be a multiple of 4");
  size_t m = m_begin;
  for (; m + 4 <= m_end; m += 4) rows<4>(m, n_begin, n_end, k, a, a_stride, w, c, c_stride, p);
  if (m + 2 <= m_end) {
    rows<2>(m, n_begin, n_end, k, a, a_stride, w, c, c_stride, p);
    m += 2;
  }
  if (m < m_end) rows<1>(m, n_begin, n_end, k, a, a_stride, w, c, c_stride, p);
}

template <typename TA, typename TC>
void gemm_1x4(size_t m_begin, size_t m_end, size_t n_begin, size_t n_end, size_t k, const TA* a, size_t a_stride,
              const void* w, TC* c, size_t c_stride, const QGemmParams& p) {
  WASMQ_CHECK(n_begin % kQs8GemmNR == 0, "qgemm: n_begin must be a multiple of 4");
  for (size_t m = m_begin; m < m_end; ++m) rows<1>(m, n_begin, n_end, k, a, a_stride, w, c, c_stride, p);
}

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
WASMQ_DEFINE_QGEMM_FAMILY(wasmsimd_dot16x2_1x4c8, gemm_1x4)

}  // namespace wasmq

#endif  // WASMQ_HAVE_WASMSIMD

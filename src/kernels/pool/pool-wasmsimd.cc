// WASM SIMD pooling kernels, 16 channels per block, bit-exact to pool-scalar.cc: integer max and
// exact integer sums (int16 partial sums flushed to int32 every 128 taps), float sums in tap order.
#include <algorithm>
#include <cstring>
#include <limits>

#include "kernels/elementwise/requant-wasmsimd.h"
#include "kernels/pool/pool.h"
#include "kernels/elementwise/qcheck.h"

#if defined(WASMQ_HAVE_WASMSIMD)

namespace wasmq {
namespace {

inline v128_t vmax(v128_t a, v128_t b, int8_t) { return wasm_i8x16_max(a, b); }
inline v128_t vmax(v128_t a, v128_t b, uint8_t) { return wasm_u8x16_max(a, b); }
inline v128_t vmin(v128_t a, v128_t b, int8_t) { return wasm_i8x16_min(a, b); }
inline v128_t vmin(v128_t a, v128_t b, uint8_t) { return wasm_u8x16_min(a, b); }

template <typename T>
inline void store_bytes(T* out, v128_t v, size_t n) {
  if (n >= 16) {
    wasm_v128_store(out, v);
  } else {
    uint8_t tmp[16];
    wasm_v128_store(tmp, v);
    std::memcpy(out, tmp, n);
  }
}

inline void store_floats(float* out, v128_t v, size_t n) {
  if (n >= 4) {
    wasm_v128_store(out, v);
  } else {
    float tmp[4];
    wasm_v128_store(tmp, v);
    std::memcpy(out, tmp, n * sizeof(float));
  }
}

// Sum of 16 channels over `count` pixels at ptr[offset(i)] (exact int32), int16 partial sums:
// each code is in [-128, 255] so 128 of them fit int16.
template <typename T, class Offset>
inline void sum16(const T* base, size_t count, Offset offset, v128_t acc[4]) {
  acc[0] = acc[1] = acc[2] = acc[3] = wasm_i32x4_splat(0);
  for (size_t i0 = 0; i0 < count; i0 += 128) {
    const size_t i1 = std::min(count, i0 + 128);
    v128_t lo = wasm_i16x8_splat(0), hi = wasm_i16x8_splat(0);
    for (size_t i = i0; i < i1; ++i) {
      v128_t l, h;
      widen_codes<T>(wasm_v128_load(base + offset(i)), &l, &h);
      lo = wasm_i16x8_add(lo, l);
      hi = wasm_i16x8_add(hi, h);
    }
    acc[0] = wasm_i32x4_add(acc[0], wasm_i32x4_extend_low_i16x8(lo));
    acc[1] = wasm_i32x4_add(acc[1], wasm_i32x4_extend_high_i16x8(lo));
    acc[2] = wasm_i32x4_add(acc[2], wasm_i32x4_extend_low_i16x8(hi));
    acc[3] = wasm_i32x4_add(acc[3], wasm_i32x4_extend_high_i16x8(hi));
  }
}

template <typename T>
void qmaxpool(const PoolShape& s, const T* x, T* y, const QMaxPoolParams& p, size_t r0, size_t r1) {
  dwconv_detail::check_call(s, r0, r1);
  check_clamp<T>(p.qmin, p.qmax, "maxpool output clamp");
  const size_t oh = s.out_h(), ow = s.out_w(), C = s.channels;
  const int32_t tlo = std::numeric_limits<T>::min(), thi = std::numeric_limits<T>::max();
  const v128_t lowest = wasm_i8x16_splat(static_cast<int8_t>(tlo));
  const v128_t vlo = wasm_i8x16_splat(static_cast<int8_t>(std::min(std::max(p.qmin, tlo), thi)));
  const v128_t vhi = wasm_i8x16_splat(static_cast<int8_t>(std::min(std::max(p.qmax, tlo), thi)));
  dwconv_detail::Taps taps(s);
  for (size_t row = r0; row < r1; ++row) {
    const T* img = x + (row / oh) * s.in_h * s.in_w * s.in_stride();
    T* out = y + row * ow * s.out_stride();
    for (size_t ox = 0; ox < ow; ++ox, out += s.out_stride()) {
      taps.collect(s, row % oh, ox);
      const auto* win = img + taps.base;
      for (size_t c = 0; c < C; c += 16) {
        v128_t m = lowest;
        for (size_t t = 0; t < taps.count; ++t) m = vmax(m, wasm_v128_load(win + taps.offset[t] + static_cast<ptrdiff_t>(c)), T());
        m = vmin(vmax(m, vlo, T()), vhi, T());
        store_bytes(out + c, m, C - c);
      }
    }
  }
}

template <typename T>
void qavgpool(const PoolShape& s, const T* x, T* y, const QAvgPoolParams& p, size_t r0, size_t r1) {
  dwconv_detail::check_call(s, r0, r1);
  check_code<T>(p.input_zero_point, "avgpool input zero point");
  check_code<T>(p.output_zero_point, "avgpool output zero point");
  check_clamp<T>(p.qmin, p.qmax, "avgpool output clamp");
  const size_t oh = s.out_h(), ow = s.out_w(), C = s.channels;
  const RequantSimd rq(p.output_zero_point, p.qmin, p.qmax);
  dwconv_detail::Taps taps(s);
  for (size_t row = r0; row < r1; ++row) {
    const T* img = x + (row / oh) * s.in_h * s.in_w * s.in_stride();
    T* out = y + row * ow * s.out_stride();
    for (size_t ox = 0; ox < ow; ++ox, out += s.out_stride()) {
      taps.collect(s, row % oh, ox);
      const auto* win = img + taps.base;
      const v128_t scale = wasm_f32x4_splat(
          qavgpool_scale(p.input_output_ratio, p.count_include_pad ? s.kernel_h * s.kernel_w : taps.count));
      const v128_t bias = wasm_i32x4_splat(-static_cast<int32_t>(taps.count) * p.input_zero_point);
      const ptrdiff_t* off = taps.offset;
      for (size_t c = 0; c < C; c += 16) {
        v128_t acc[4];
        sum16(win + c, taps.count, [off](size_t i) { return off[i]; }, acc);
        const v128_t q = pack_codes<T>(rq.run(wasm_i32x4_add(acc[0], bias), scale), rq.run(wasm_i32x4_add(acc[1], bias), scale),
                                       rq.run(wasm_i32x4_add(acc[2], bias), scale), rq.run(wasm_i32x4_add(acc[3], bias), scale));
        store_bytes(out + c, q, C - c);
      }
    }
  }
}

template <typename T>
void qgavgpool(const GlobalPoolShape& s, const T* x, T* y, const QAvgPoolParams& p, size_t b0, size_t b1) {
  pool_detail::check_global(s, b0, b1);
  check_code<T>(p.input_zero_point, "global avgpool input zero point");
  check_code<T>(p.output_zero_point, "global avgpool output zero point");
  check_clamp<T>(p.qmin, p.qmax, "global avgpool output clamp");
  const RequantSimd rq(p.output_zero_point, p.qmin, p.qmax);
  const v128_t scale = wasm_f32x4_splat(qavgpool_scale(p.input_output_ratio, s.pixels));
  const v128_t bias = wasm_i32x4_splat(-static_cast<int32_t>(s.pixels) * p.input_zero_point);
  const size_t stride = s.in_stride();
  for (size_t b = b0; b < b1; ++b) {
    const T* img = x + b * s.pixels * stride;
    for (size_t c = 0; c < s.channels; c += 16) {
      v128_t acc[4];
      sum16(img + c, s.pixels, [stride](size_t i) { return static_cast<ptrdiff_t>(i * stride); }, acc);
      const v128_t q = pack_codes<T>(rq.run(wasm_i32x4_add(acc[0], bias), scale), rq.run(wasm_i32x4_add(acc[1], bias), scale),
                                     rq.run(wasm_i32x4_add(acc[2], bias), scale), rq.run(wasm_i32x4_add(acc[3], bias), scale));
      store_bytes(y + b * s.out_batch_stride() + c, q, s.channels - c);
    }
  }
}

// Float: 4 channels per vector; kMax selects max (from -inf) or sum (from 0) over the taps.
template <bool kMax, class Offset>
inline v128_t reduce4(const float* base, size_t count, Offset offset) {
  v128_t acc = wasm_f32x4_splat(kMax ? -std::numeric_limits<float>::infinity() : 0.0f);
  for (size_t i = 0; i < count; ++i) {
    const v128_t v = wasm_v128_load(base + offset(i));
    acc = kMax ? wasm_f32x4_pmax(acc, v) : wasm_f32x4_add(acc, v);
  }
  return acc;
}

template <bool kMax>
void fpool(const PoolShape& s, const float* x, float* y, const F32PoolParams& p, size_t r0, size_t r1) {
  dwconv_detail::check_call(s, r0, r1);
  const size_t oh = s.out_h(), ow = s.out_w(), C = s.channels;
  const v128_t lo = wasm_f32x4_splat(p.min), hi = wasm_f32x4_splat(p.max);
  dwconv_detail::Taps taps(s);
  for (size_t row = r0; row < r1; ++row) {
    const float* img = x + (row / oh) * s.in_h * s.in_w * s.in_stride();
    float* out = y + row * ow * s.out_stride();
    for (size_t ox = 0; ox < ow; ++ox, out += s.out_stride()) {
      taps.collect(s, row % oh, ox);
      const auto* win = img + taps.base;
      const size_t divisor = p.count_include_pad ? s.kernel_h * s.kernel_w : taps.count;
      const v128_t scale = wasm_f32x4_splat(1.0f / static_cast<float>(divisor == 0 ? 1 : divisor));
      const ptrdiff_t* off = taps.offset;
      const size_t nt = taps.count;
      size_t c = 0;
      for (; c + 16 <= C; c += 16) {  // 4 independent vectors per tap
        v128_t a0, a1, a2, a3;
        a0 = a1 = a2 = a3 = wasm_f32x4_splat(kMax ? -std::numeric_limits<float>::infinity() : 0.0f);
        for (size_t t = 0; t < nt; ++t) {
          const float* px = win + off[t] + c;
          if (kMax) {
            a0 = wasm_f32x4_pmax(a0, wasm_v128_load(px));
            a1 = wasm_f32x4_pmax(a1, wasm_v128_load(px + 4));
            a2 = wasm_f32x4_pmax(a2, wasm_v128_load(px + 8));
            a3 = wasm_f32x4_pmax(a3, wasm_v128_load(px + 12));
          } else {
            a0 = wasm_f32x4_add(a0, wasm_v128_load(px));
            a1 = wasm_f32x4_add(a1, wasm_v128_load(px + 4));
            a2 = wasm_f32x4_add(a2, wasm_v128_load(px + 8));
            a3 = wasm_f32x4_add(a3, wasm_v128_load(px + 12));
          }
        }
        if (!kMax) {
          a0 = wasm_f32x4_mul(a0, scale);
          a1 = wasm_f32x4_mul(a1, scale);
          a2 = wasm_f32x4_mul(a2, scale);
          a3 = wasm_f32x4_mul(a3, scale);
        }
        wasm_v128_store(out + c, wasm_f32x4_pmin(wasm_f32x4_pmax(a0, lo), hi));
        wasm_v128_store(out + c + 4, wasm_f32x4_pmin(wasm_f32x4_pmax(a1, lo), hi));
        wasm_v128_store(out + c + 8, wasm_f32x4_pmin(wasm_f32x4_pmax(a2, lo), hi));
        wasm_v128_store(out + c + 12, wasm_f32x4_pmin(wasm_f32x4_pmax(a3, lo), hi));
      }
      for (; c < C; c += 4) {
        v128_t a = reduce4<kMax>(win + c, nt, [off](size_t i) { return off[i]; });
        if (!kMax) a = wasm_f32x4_mul(a, scale);
        store_floats(out + c, wasm_f32x4_pmin(wasm_f32x4_pmax(a, lo), hi), C - c);
      }
    }
  }
}

}  // namespace

void qs8_maxpool_minmax__wasmsimd_c16(const PoolShape& s, const int8_t* x, int8_t* y, const QMaxPoolParams& p, size_t r0, size_t r1) { qmaxpool(s, x, y, p, r0, r1); }
void qu8_maxpool_minmax__wasmsimd_c16(const PoolShape& s, const uint8_t* x, uint8_t* y, const QMaxPoolParams& p, size_t r0, size_t r1) { qmaxpool(s, x, y, p, r0, r1); }
void qs8_avgpool_minmax_fp32__wasmsimd_c16(const PoolShape& s, const int8_t* x, int8_t* y, const QAvgPoolParams& p, size_t r0, size_t r1) { qavgpool(s, x, y, p, r0, r1); }
void qu8_avgpool_minmax_fp32__wasmsimd_c16(const PoolShape& s, const uint8_t* x, uint8_t* y, const QAvgPoolParams& p, size_t r0, size_t r1) { qavgpool(s, x, y, p, r0, r1); }
void qs8_gavgpool_minmax_fp32__wasmsimd_c16(const GlobalPoolShape& s, const int8_t* x, int8_t* y, const QAvgPoolParams& p, size_t b0, size_t b1) { qgavgpool(s, x, y, p, b0, b1); }
void qu8_gavgpool_minmax_fp32__wasmsimd_c16(const GlobalPoolShape& s, const uint8_t* x, uint8_t* y, const QAvgPoolParams& p, size_t b0, size_t b1) { qgavgpool(s, x, y, p, b0, b1); }
void f32_maxpool_minmax__wasmsimd_c16(const PoolShape& s, const float* x, float* y, const F32PoolParams& p, size_t r0, size_t r1) { fpool<true>(s, x, y, p, r0, r1); }
void f32_avgpool_minmax__wasmsimd_c16(const PoolShape& s, const float* x, float* y, const F32PoolParams& p, size_t r0, size_t r1) { fpool<false>(s, x, y, p, r0, r1); }

void f32_gavgpool_minmax__wasmsimd_c16(const GlobalPoolShape& s, const float* x, float* y, const F32PoolParams& p,
                                       size_t b0, size_t b1) {
  pool_detail::check_global(s, b0, b1);
  const v128_t lo = wasm_f32x4_splat(p.min), hi = wasm_f32x4_splat(p.max);
  const v128_t scale = wasm_f32x4_splat(1.0f / static_cast<float>(s.pixels));
  const size_t stride = s.in_stride();
  for (size_t b = b0; b < b1; ++b) {
    const float* img = x + b * s.pixels * stride;
    float* out = y + b * s.out_batch_stride();
    size_t c = 0;
    for (; c + 16 <= s.channels; c += 16) {  // 4 independent sums per pixel
      v128_t a0 = wasm_f32x4_splat(0.0f), a1 = a0, a2 = a0, a3 = a0;
      for (size_t i = 0; i < s.pixels; ++i) {
        const float* px = img + i * stride + c;
        a0 = wasm_f32x4_add(a0, wasm_v128_load(px));
        a1 = wasm_f32x4_add(a1, wasm_v128_load(px + 4));
        a2 = wasm_f32x4_add(a2, wasm_v128_load(px + 8));
        a3 = wasm_f32x4_add(a3, wasm_v128_load(px + 12));
      }
      wasm_v128_store(out + c, wasm_f32x4_pmin(wasm_f32x4_pmax(wasm_f32x4_mul(a0, scale), lo), hi));
      wasm_v128_store(out + c + 4, wasm_f32x4_pmin(wasm_f32x4_pmax(wasm_f32x4_mul(a1, scale), lo), hi));
      wasm_v128_store(out + c + 8, wasm_f32x4_pmin(wasm_f32x4_pmax(wasm_f32x4_mul(a2, scale), lo), hi));
      wasm_v128_store(out + c + 12, wasm_f32x4_pmin(wasm_f32x4_pmax(wasm_f32x4_mul(a3, scale), lo), hi));
    }
    for (; c < s.channels; c += 4) {
      const v128_t a = wasm_f32x4_mul(reduce4<false>(img + c, s.pixels, [stride](size_t i) { return static_cast<ptrdiff_t>(i * stride); }), scale);
      store_floats(out + c, wasm_f32x4_pmin(wasm_f32x4_pmax(a, lo), hi), s.channels - c);
    }
  }
}

}  // namespace wasmq

#endif  // WASMQ_HAVE_WASMSIMD

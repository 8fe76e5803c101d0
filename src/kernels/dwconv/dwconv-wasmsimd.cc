// WASM SIMD depthwise convolution, 16 channels per block, bit-exact to dwconv-scalar.cc: int8/int16
// activations (one template on input and output type) run each output row's x-interior pixels on a
// per-row tap plan (pre-interleaved weight pairs, zero point folded into the bias, i32x4.dot_i16x8)
// and the end columns on filtered tap lists, with the SIMD requantize_fp32; float adds the taps in
// the same order with separate mul and add.
#include <algorithm>
#include <cstring>
#include <type_traits>

#include "kernels/dwconv/dwconv.h"
#include "kernels/dwconv/dwconv-check.h"
#include "kernels/elementwise/qcheck.h"
#include "kernels/elementwise/requant-wasmsimd.h"
#include "simd/wasm_simd_store.h"

#if defined(WASMQ_HAVE_WASMSIMD)

namespace wasmq {
namespace {

template <typename T>
constexpr bool kIs16 = std::is_same<T, int16_t>::value;

template <typename T>
inline void store_block(T* out, v128_t q, size_t n) {
  if (n >= 16) wasm_v128_store(out, q);
  else wasm_store_first_bytes(out, q, n);
}

// 16 channels of one pixel -> two i16x8 (channels 0-7, 8-15): widened bytes, or two int16 loads.
template <typename T>
inline void load_x16(const T* p, v128_t* lo, v128_t* hi) {
  if constexpr (kIs16<T>) {
    *lo = wasm_v128_load(p);
    *hi = wasm_v128_load(p + 8);
  } else {
    widen_codes<T>(wasm_v128_load(p), lo, hi);
  }
}

// 16 channels of two taps (p0, p1) as interleaved (x0, x1) int16 pairs for i32x4.dot_i16x8:
// channels 0-3, 4-7, 8-11, 12-15.
template <typename T>
inline void load_pairs16(const T* p0, const T* p1, v128_t* l0, v128_t* l1, v128_t* h0, v128_t* h1) {
  if constexpr (kIs16<T>) {
    const v128_t a0 = wasm_v128_load(p0), a1 = wasm_v128_load(p1);
    const v128_t b0 = wasm_v128_load(p0 + 8), b1 = wasm_v128_load(p1 + 8);
    *l0 = wasm_i16x8_shuffle(a0, a1, 0, 8, 1, 9, 2, 10, 3, 11);
    *l1 = wasm_i16x8_shuffle(a0, a1, 4, 12, 5, 13, 6, 14, 7, 15);
    *h0 = wasm_i16x8_shuffle(b0, b1, 0, 8, 1, 9, 2, 10, 3, 11);
    *h1 = wasm_i16x8_shuffle(b0, b1, 4, 12, 5, 13, 6, 14, 7, 15);
  } else {
    const v128_t x0 = wasm_v128_load(p0), x1 = wasm_v128_load(p1);
    widen_codes<T>(wasm_i8x16_shuffle(x0, x1, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23), l0, l1);
    widen_codes<T>(wasm_i8x16_shuffle(x0, x1, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31), h0, h1);
  }
}

// Channels 0-7 of two taps (offsets f0, f1) for two pixels pa, pb, as (x0, x1) pairs: pixel a's
// channels 0-3 and 4-7, then pixel b's.
template <typename T>
inline void load_pairs8x2(const T* pa, const T* pb, ptrdiff_t f0, ptrdiff_t f1, v128_t* l0, v128_t* l1, v128_t* h0,
                          v128_t* h1) {
  if constexpr (kIs16<T>) {
    const v128_t a0 = wasm_v128_load(pa + f0), a1 = wasm_v128_load(pa + f1);
    const v128_t b0 = wasm_v128_load(pb + f0), b1 = wasm_v128_load(pb + f1);
    *l0 = wasm_i16x8_shuffle(a0, a1, 0, 8, 1, 9, 2, 10, 3, 11);
    *l1 = wasm_i16x8_shuffle(a0, a1, 4, 12, 5, 13, 6, 14, 7, 15);
    *h0 = wasm_i16x8_shuffle(b0, b1, 0, 8, 1, 9, 2, 10, 3, 11);
    *h1 = wasm_i16x8_shuffle(b0, b1, 4, 12, 5, 13, 6, 14, 7, 15);
  } else {
    const v128_t x0 = wasm_v128_load64_lane(pb + f0, wasm_v128_load64_zero(pa + f0), 1);
    const v128_t x1 = wasm_v128_load64_lane(pb + f1, wasm_v128_load64_zero(pa + f1), 1);
    widen_codes<T>(wasm_i8x16_shuffle(x0, x1, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23), l0, l1);
    widen_codes<T>(wasm_i8x16_shuffle(x0, x1, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31), h0, h1);
  }
}

// Four int32x4 codes (channels 0-15, in range) -> the first n outputs (all 16 when n >= 16).
template <typename T>
inline void store_codes(T* out, v128_t q0, v128_t q1, v128_t q2, v128_t q3, size_t n) {
  if constexpr (kIs16<T>) {
    const v128_t lo = wasm_i16x8_narrow_i32x4(q0, q1), hi = wasm_i16x8_narrow_i32x4(q2, q3);
    if (n >= 8) {
      wasm_v128_store(out, lo);
      if (n >= 16) wasm_v128_store(out + 8, hi);
      else wasm_store_first_bytes(out + 8, hi, (n - 8) * 2);
    } else {
      wasm_store_first_bytes(out, lo, n * 2);
    }
  } else {
    store_block(out, pack_codes<T>(q0, q1, q2, q3), n);
  }
}

// Two pixels' codes of channels 0-7 (pixel a: q0, q1; pixel b: q2, q3) -> n <= 8 outputs each.
template <typename T>
inline void store_codes8x2(T* oa, T* ob, v128_t q0, v128_t q1, v128_t q2, v128_t q3, size_t n) {
  if constexpr (kIs16<T>) {
    const v128_t a = wasm_i16x8_narrow_i32x4(q0, q1), b = wasm_i16x8_narrow_i32x4(q2, q3);
    if (n == 8) {
      wasm_v128_store(oa, a);
      wasm_v128_store(ob, b);
    } else {
      wasm_store_first_bytes(oa, a, n * 2);
      wasm_store_first_bytes(ob, b, n * 2);
    }
  } else {
    const v128_t q = pack_codes<T>(q0, q1, q2, q3);
    if (n == 8) {
      wasm_v128_store64_lane(oa, q, 0);
      wasm_v128_store64_lane(ob, q, 1);
    } else {
      wasm_store_first_bytes(oa, q, n);
      wasm_store_first_bytes(ob, wasm_i64x2_shuffle(q, q, 1, 1), n);
    }
  }
}

// x - zx on int16 lanes (int16 input has zero point 0: nothing to do).
template <typename T>
inline v128_t centre(v128_t x, v128_t vzx) {
  if constexpr (kIs16<T>) return x;
  else return wasm_i16x8_sub(x, vzx);
}

// One output pixel from its filtered tap list (any border), zero point subtracted per tap.
template <typename TIn, typename TOut>
void pixel_generic(const DwconvShape& s, const TIn* win, const dwconv_detail::Taps& taps, const uint8_t* packed,
                   TOut* out, v128_t vzx, const RequantSimd& rq) {
  const size_t C = s.channels, bb = dwconv_detail::qs8_block_bytes(s), blocks = (C + 15) / 16;
  const ptrdiff_t* off = taps.offset;
  const uint32_t* tap = taps.tap;
  const size_t nt = taps.count;
  for (size_t blk = 0; blk < blocks; ++blk) {
    const uint8_t* w = packed + blk * bb;
    const size_t c0 = blk * 16;
    v128_t acc0 = wasm_v128_load(w), acc1 = wasm_v128_load(w + 16);
    v128_t acc2 = wasm_v128_load(w + 32), acc3 = wasm_v128_load(w + 48);
    const TIn* px = win + c0;
    const uint8_t* wt = w + 128;
    size_t t = 0;
    // Pairs of taps: interleave the two taps' int16 lanes and let i32x4.dot_i16x8 do two
    // multiply-adds per lane (|x - zx| * |w| <= 2^15 * 2^7, so a pair sum fits easily).
    for (; t + 1 < nt; t += 2) {
      v128_t x0lo, x0hi, x1lo, x1hi;
      load_x16<TIn>(px + off[t], &x0lo, &x0hi);
      load_x16<TIn>(px + off[t + 1], &x1lo, &x1hi);
      x0lo = centre<TIn>(x0lo, vzx);
      x0hi = centre<TIn>(x0hi, vzx);
      x1lo = centre<TIn>(x1lo, vzx);
      x1hi = centre<TIn>(x1hi, vzx);
      const uint8_t* w0 = wt + tap[t] * 32;
      const uint8_t* w1 = wt + tap[t + 1] * 32;
      const v128_t w0lo = wasm_v128_load(w0), w0hi = wasm_v128_load(w0 + 16);
      const v128_t w1lo = wasm_v128_load(w1), w1hi = wasm_v128_load(w1 + 16);
      acc0 = wasm_i32x4_add(acc0, wasm_i32x4_dot_i16x8(wasm_i16x8_shuffle(x0lo, x1lo, 0, 8, 1, 9, 2, 10, 3, 11),
                                                       wasm_i16x8_shuffle(w0lo, w1lo, 0, 8, 1, 9, 2, 10, 3, 11)));
      acc1 = wasm_i32x4_add(acc1, wasm_i32x4_dot_i16x8(wasm_i16x8_shuffle(x0lo, x1lo, 4, 12, 5, 13, 6, 14, 7, 15),
                                                       wasm_i16x8_shuffle(w0lo, w1lo, 4, 12, 5, 13, 6, 14, 7, 15)));
      acc2 = wasm_i32x4_add(acc2, wasm_i32x4_dot_i16x8(wasm_i16x8_shuffle(x0hi, x1hi, 0, 8, 1, 9, 2, 10, 3, 11),
                                                       wasm_i16x8_shuffle(w0hi, w1hi, 0, 8, 1, 9, 2, 10, 3, 11)));
      acc3 = wasm_i32x4_add(acc3, wasm_i32x4_dot_i16x8(wasm_i16x8_shuffle(x0hi, x1hi, 4, 12, 5, 13, 6, 14, 7, 15),
                                                       wasm_i16x8_shuffle(w0hi, w1hi, 4, 12, 5, 13, 6, 14, 7, 15)));
    }
    if (t < nt) {  // odd tap count: the last tap alone
      v128_t xlo, xhi;
      load_x16<TIn>(px + off[t], &xlo, &xhi);
      xlo = centre<TIn>(xlo, vzx);
      xhi = centre<TIn>(xhi, vzx);
      const uint8_t* wk = wt + tap[t] * 32;
      const v128_t wlo = wasm_v128_load(wk), whi = wasm_v128_load(wk + 16);
      acc0 = wasm_i32x4_add(acc0, wasm_i32x4_extmul_low_i16x8(xlo, wlo));
      acc1 = wasm_i32x4_add(acc1, wasm_i32x4_extmul_high_i16x8(xlo, wlo));
      acc2 = wasm_i32x4_add(acc2, wasm_i32x4_extmul_low_i16x8(xhi, whi));
      acc3 = wasm_i32x4_add(acc3, wasm_i32x4_extmul_high_i16x8(xhi, whi));
    }
    store_codes<TOut>(out + c0, rq.run(acc0, wasm_v128_load(w + 64)), rq.run(acc1, wasm_v128_load(w + 80)),
                      rq.run(acc2, wasm_v128_load(w + 96)), rq.run(acc3, wasm_v128_load(w + 112)), C - c0);
  }
}

// Row plan: the taps of one output row's x-interior pixels. Every pixel of an output row has the
// same vertical window; the ones whose horizontal window is inside the image (all but pad/stride
// columns at each end) therefore share one tap list, the kernel rows that fall inside the image.
// For that list the weights are re-laid once per row as interleaved tap pairs (an odd last tap is
// paired with a zero weight), and the input zero point is folded into the bias:
//   bias + sum (x - zx) * w  ==  (bias - zx * sum w) + sum x * w   (exact, int32 wraps alike),
// so the inner loop is two loads, two byte interleaves, four widens and four i32x4.dot_i16x8.
struct RowPlan {
  // Vectors stored as int32 quadruples (std::vector of v128_t would drop its alignment attribute).
  std::vector<int32_t> weights;  // [block][pair][4 vectors]: channels 0-3, 4-7, 8-11, 12-15 as (w0, w1) int16 pairs
  std::vector<int32_t> bias;     // [block][4 vectors]: bias - zx * sum of the row's weights
  std::vector<ptrdiff_t> offset;  // [pair][2]: input element offsets from the first valid tap row
  size_t pairs = 0;
  size_t ky0 = 0, ky1 = 0;  // valid kernel rows [ky0, ky1)
  bool built = false;

  void build(const DwconvShape& s, const uint8_t* packed, int32_t zx, size_t k0, size_t k1) {
    if (built && k0 == ky0 && k1 == ky1) return;
    built = true;
    ky0 = k0;
    ky1 = k1;
    const size_t kw = s.kernel_w, n = (k1 - k0) * kw, blocks = (s.channels + 15) / 16;
    const size_t bb = dwconv_detail::qs8_block_bytes(s);
    pairs = (n + 1) / 2;
    offset.resize(pairs * 2 + 2);
    weights.resize((blocks * pairs * 4 + 4) * 4);
    bias.resize(blocks * 16);
    auto tap_offset = [&](size_t i) {
      const size_t ky = k0 + i / kw, kx = i % kw;
      return static_cast<ptrdiff_t>(((ky - k0) * s.dilation_h * s.in_w + kx * s.dilation_w) * s.in_stride());
    };
    auto tap_index = [&](size_t i) { return (k0 + i / kw) * kw + i % kw; };
    for (size_t p = 0; p < pairs; ++p) {
      offset[2 * p] = tap_offset(2 * p);
      offset[2 * p + 1] = tap_offset(2 * p + 1 < n ? 2 * p + 1 : 2 * p);  // odd tail: any valid address
    }
    const v128_t ones = wasm_i16x8_splat(1), vzx = wasm_i32x4_splat(zx);
    for (size_t blk = 0; blk < blocks; ++blk) {
      const uint8_t* w = packed + blk * bb;
      const uint8_t* wt = w + 128;
      int32_t* out = weights.data() + blk * pairs * 16;
      v128_t sum[4] = {wasm_i32x4_splat(0), wasm_i32x4_splat(0), wasm_i32x4_splat(0), wasm_i32x4_splat(0)};
      for (size_t p = 0; p < pairs; ++p, out += 16) {
        const uint8_t* w0 = wt + tap_index(2 * p) * 32;
        const v128_t w0lo = wasm_v128_load(w0), w0hi = wasm_v128_load(w0 + 16);
        v128_t w1lo = wasm_i32x4_splat(0), w1hi = wasm_i32x4_splat(0);
        if (2 * p + 1 < n) {
          const uint8_t* w1 = wt + tap_index(2 * p + 1) * 32;
          w1lo = wasm_v128_load(w1);
          w1hi = wasm_v128_load(w1 + 16);
        }
        const v128_t v[4] = {wasm_i16x8_shuffle(w0lo, w1lo, 0, 8, 1, 9, 2, 10, 3, 11),
                             wasm_i16x8_shuffle(w0lo, w1lo, 4, 12, 5, 13, 6, 14, 7, 15),
                             wasm_i16x8_shuffle(w0hi, w1hi, 0, 8, 1, 9, 2, 10, 3, 11),
                             wasm_i16x8_shuffle(w0hi, w1hi, 4, 12, 5, 13, 6, 14, 7, 15)};
        for (int i = 0; i < 4; ++i) {
          wasm_v128_store(out + 4 * i, v[i]);
          sum[i] = wasm_i32x4_add(sum[i], wasm_i32x4_dot_i16x8(v[i], ones));
        }
      }
      for (int i = 0; i < 4; ++i) {
        wasm_v128_store(bias.data() + (blk * 4 + i) * 4,
                        wasm_i32x4_sub(wasm_v128_load(w + 16 * i), wasm_i32x4_mul(vzx, sum[i])));
      }
    }
  }
};

template <typename TIn, typename TOut>
void qdwconv(const DwconvShape& s, const TIn* input, const uint8_t* packed, TOut* output, const QDwconvParams& p,
             size_t r0, size_t r1) {
  dwconv_detail::check_call(s, r0, r1);
  dwconv_detail::check_qparams<TIn, TOut>(p);
  const size_t oh = s.out_h(), ow = s.out_w(), C = s.channels;
  const size_t bb = dwconv_detail::qs8_block_bytes(s), blocks = (C + 15) / 16;
  const size_t is = s.in_stride(), os = s.out_stride();
  const v128_t vzx = wasm_i16x8_splat(static_cast<int16_t>(p.input_zero_point));
  const RequantSimd rq(p.output_zero_point, p.qmin, p.qmax);
  dwconv_detail::Taps taps(s);
  // x-interior output columns [ox_lo, ox_hi): ox * stride_w - pad_left >= 0 and the last tap < in_w.
  const size_t ox_lo = std::min(ow, (s.pad_left + s.stride_w - 1) / s.stride_w);
  const ptrdiff_t last = static_cast<ptrdiff_t>(s.in_w + s.pad_left) - 1 - static_cast<ptrdiff_t>((s.kernel_w - 1) * s.dilation_w);
  const size_t ox_hi = last < 0 ? ox_lo : std::max(ox_lo, std::min(ow, static_cast<size_t>(last) / s.stride_w + 1));
  RowPlan plan;
  for (size_t row = r0; row < r1; ++row) {
    const size_t b = row / oh, oy = row % oh;
    const TIn* img = input + b * s.in_h * s.in_w * is;
    TOut* out = output + row * ow * os;
    for (size_t ox = 0; ox < ow; ++ox) {
      if (ox == ox_lo) ox = ox_hi;  // the interior is done below
      if (ox >= ow) break;
      taps.collect(s, oy, ox);
      pixel_generic<TIn, TOut>(s, img + taps.base, taps, packed, out + ox * os, vzx, rq);
    }
    if (ox_lo >= ox_hi) continue;
    // Valid kernel rows: 0 <= oy * stride_h - pad_top + ky * dilation_h < in_h.
    const ptrdiff_t iy0 = static_cast<ptrdiff_t>(oy * s.stride_h) - static_cast<ptrdiff_t>(s.pad_top);
    size_t ky0 = 0, ky1 = 0;
    for (size_t ky = 0; ky < s.kernel_h; ++ky) {
      const ptrdiff_t iy = iy0 + static_cast<ptrdiff_t>(ky * s.dilation_h);
      if (iy < 0) ky0 = ky + 1;
      else if (iy < static_cast<ptrdiff_t>(s.in_h)) ky1 = ky + 1;
    }
    if (ky1 < ky0) ky1 = ky0;
    plan.build(s, packed, p.input_zero_point, ky0, ky1);
    const size_t pairs = plan.pairs;
    const ptrdiff_t* off = plan.offset.data();
    // First valid tap row of pixel ox_lo (row iy0 + ky0 * dilation_h is inside the image when pairs > 0).
    const size_t iy_first = pairs ? static_cast<size_t>(iy0 + static_cast<ptrdiff_t>(ky0 * s.dilation_h)) : 0;
    const TIn* base = img + (iy_first * s.in_w + (ox_lo * s.stride_w - s.pad_left)) * is;
    const size_t xstep = s.stride_w * is;
    for (size_t blk = 0; blk < blocks; ++blk) {
      const uint8_t* w = packed + blk * bb;
      const size_t c0 = blk * 16, nc = C - c0;
      const int32_t* pb = plan.bias.data() + blk * 16;
      const v128_t b0 = wasm_v128_load(pb), b1 = wasm_v128_load(pb + 4);
      const v128_t b2 = wasm_v128_load(pb + 8), b3 = wasm_v128_load(pb + 12);
      const v128_t s0 = wasm_v128_load(w + 64), s1 = wasm_v128_load(w + 80);
      const v128_t s2 = wasm_v128_load(w + 96), s3 = wasm_v128_load(w + 112);
      const int32_t* wp0 = plan.weights.data() + blk * pairs * 16;
      const TIn* px = base + c0;
      TOut* o = out + ox_lo * os + c0;
      size_t ox = ox_lo;
      if (nc <= 8) {
        // At most 8 channels left (C = 8, the tail of C = 24): two pixels share one vector, lanes
        // 0-7 the first pixel's channels and 8-15 the second's, against channels 0-7's weights twice.
        for (; ox + 2 <= ox_hi; ox += 2, px += 2 * xstep, o += 2 * os) {
          v128_t acc0 = b0, acc1 = b1, acc2 = b0, acc3 = b1;
          const int32_t* wp = wp0;
          const TIn* py = px + xstep;
          for (size_t q = 0; q < pairs; ++q, wp += 16) {
            v128_t l0, l1, h0, h1;
            load_pairs8x2<TIn>(px, py, off[2 * q], off[2 * q + 1], &l0, &l1, &h0, &h1);
            const v128_t w0 = wasm_v128_load(wp), w1 = wasm_v128_load(wp + 4);
            acc0 = wasm_i32x4_add(acc0, wasm_i32x4_dot_i16x8(l0, w0));
            acc1 = wasm_i32x4_add(acc1, wasm_i32x4_dot_i16x8(l1, w1));
            acc2 = wasm_i32x4_add(acc2, wasm_i32x4_dot_i16x8(h0, w0));
            acc3 = wasm_i32x4_add(acc3, wasm_i32x4_dot_i16x8(h1, w1));
          }
          store_codes8x2<TOut>(o, o + os, rq.run(acc0, s0), rq.run(acc1, s1), rq.run(acc2, s0), rq.run(acc3, s1), nc);
        }
      }
      // Two pixels at a time: one weight load feeds both.
      for (; ox + 2 <= ox_hi; ox += 2, px += 2 * xstep, o += 2 * os) {
        v128_t a0 = b0, a1 = b1, a2 = b2, a3 = b3, c0 = b0, c1 = b1, c2 = b2, c3 = b3;
        const int32_t* wp = wp0;
        const TIn* py = px + xstep;
        for (size_t q = 0; q < pairs; ++q, wp += 16) {
          const ptrdiff_t f0 = off[2 * q], f1 = off[2 * q + 1];
          const v128_t w0 = wasm_v128_load(wp), w1 = wasm_v128_load(wp + 4);
          const v128_t w2 = wasm_v128_load(wp + 8), w3 = wasm_v128_load(wp + 12);
          v128_t l0, l1, h0, h1;
          load_pairs16<TIn>(px + f0, px + f1, &l0, &l1, &h0, &h1);
          a0 = wasm_i32x4_add(a0, wasm_i32x4_dot_i16x8(l0, w0));
          a1 = wasm_i32x4_add(a1, wasm_i32x4_dot_i16x8(l1, w1));
          a2 = wasm_i32x4_add(a2, wasm_i32x4_dot_i16x8(h0, w2));
          a3 = wasm_i32x4_add(a3, wasm_i32x4_dot_i16x8(h1, w3));
          load_pairs16<TIn>(py + f0, py + f1, &l0, &l1, &h0, &h1);
          c0 = wasm_i32x4_add(c0, wasm_i32x4_dot_i16x8(l0, w0));
          c1 = wasm_i32x4_add(c1, wasm_i32x4_dot_i16x8(l1, w1));
          c2 = wasm_i32x4_add(c2, wasm_i32x4_dot_i16x8(h0, w2));
          c3 = wasm_i32x4_add(c3, wasm_i32x4_dot_i16x8(h1, w3));
        }
        store_codes<TOut>(o, rq.run(a0, s0), rq.run(a1, s1), rq.run(a2, s2), rq.run(a3, s3), nc);
        store_codes<TOut>(o + os, rq.run(c0, s0), rq.run(c1, s1), rq.run(c2, s2), rq.run(c3, s3), nc);
      }
      for (; ox < ox_hi; ++ox, px += xstep, o += os) {
        v128_t acc0 = b0, acc1 = b1, acc2 = b2, acc3 = b3;
        const int32_t* wp = wp0;
        for (size_t q = 0; q < pairs; ++q, wp += 16) {
          v128_t l0, l1, h0, h1;
          load_pairs16<TIn>(px + off[2 * q], px + off[2 * q + 1], &l0, &l1, &h0, &h1);
          acc0 = wasm_i32x4_add(acc0, wasm_i32x4_dot_i16x8(l0, wasm_v128_load(wp)));
          acc1 = wasm_i32x4_add(acc1, wasm_i32x4_dot_i16x8(l1, wasm_v128_load(wp + 4)));
          acc2 = wasm_i32x4_add(acc2, wasm_i32x4_dot_i16x8(h0, wasm_v128_load(wp + 8)));
          acc3 = wasm_i32x4_add(acc3, wasm_i32x4_dot_i16x8(h1, wasm_v128_load(wp + 12)));
        }
        store_codes<TOut>(o, rq.run(acc0, s0), rq.run(acc1, s1), rq.run(acc2, s2), rq.run(acc3, s3), nc);
      }
    }
  }
}

}  // namespace

WASMQ_DEFINE_QDWCONV(qs8_dwconv_minmax_fp32__wasmsimd_c16, int8_t, int8_t)

WASMQ_DEFINE_QDWCONV(qu8_dwconv_minmax_fp32__wasmsimd_c16, uint8_t, uint8_t)

WASMQ_DEFINE_QDWCONV(qs8_qs16_dwconv_minmax_fp32__wasmsimd_c16, int8_t, int16_t)

WASMQ_DEFINE_QDWCONV(qs16_qs8_dwconv_minmax_fp32__wasmsimd_c16, int16_t, int8_t)

WASMQ_DEFINE_QDWCONV(qs16_dwconv_minmax_fp32__wasmsimd_c16, int16_t, int16_t)

void f32_dwconv_minmax__wasmsimd_c16(const DwconvShape& s, const float* input, const uint8_t* packed, float* output,
                                     const F32DwconvParams& p, size_t r0, size_t r1) {
  dwconv_detail::check_call(s, r0, r1);
  const size_t oh = s.out_h(), ow = s.out_w(), C = s.channels;
  const size_t bb = dwconv_detail::f32_block_bytes(s), blocks = (C + 15) / 16;
  const v128_t lo = wasm_f32x4_splat(p.min), hi = wasm_f32x4_splat(p.max);
  dwconv_detail::Taps taps(s);
  for (size_t row = r0; row < r1; ++row) {
    const size_t b = row / oh, oy = row % oh;
    const float* img = input + b * s.in_h * s.in_w * s.in_stride();
    float* out = output + row * ow * s.out_stride();
    for (size_t ox = 0; ox < ow; ++ox, out += s.out_stride()) {
      taps.collect(s, oy, ox);
      const auto* win = img + taps.base;
      const ptrdiff_t* off = taps.offset;
      const uint32_t* tap = taps.tap;
      const size_t nt = taps.count;
      for (size_t blk = 0; blk < blocks; ++blk) {
        const float* w = reinterpret_cast<const float*>(packed + blk * bb);
        const size_t c0 = blk * 16;
        const float* px = win + c0;
        const float* wt = w + 16;
        if (c0 + 16 <= C) {
          v128_t acc0 = wasm_v128_load(w), acc1 = wasm_v128_load(w + 4);
          v128_t acc2 = wasm_v128_load(w + 8), acc3 = wasm_v128_load(w + 12);
          for (size_t t = 0; t < nt; ++t) {
            const float* x = px + off[t];
            const float* k = wt + tap[t] * 16;
            acc0 = wasm_f32x4_add(acc0, wasm_f32x4_mul(wasm_v128_load(x), wasm_v128_load(k)));
            acc1 = wasm_f32x4_add(acc1, wasm_f32x4_mul(wasm_v128_load(x + 4), wasm_v128_load(k + 4)));
            acc2 = wasm_f32x4_add(acc2, wasm_f32x4_mul(wasm_v128_load(x + 8), wasm_v128_load(k + 8)));
            acc3 = wasm_f32x4_add(acc3, wasm_f32x4_mul(wasm_v128_load(x + 12), wasm_v128_load(k + 12)));
          }
          wasm_v128_store(out + c0, wasm_f32x4_pmin(wasm_f32x4_pmax(acc0, lo), hi));
          wasm_v128_store(out + c0 + 4, wasm_f32x4_pmin(wasm_f32x4_pmax(acc1, lo), hi));
          wasm_v128_store(out + c0 + 8, wasm_f32x4_pmin(wasm_f32x4_pmax(acc2, lo), hi));
          wasm_v128_store(out + c0 + 12, wasm_f32x4_pmin(wasm_f32x4_pmax(acc3, lo), hi));
        } else {
          // Tail block: groups of 4 channels (the last group reads <= 3 floats past channel C-1).
          for (size_t g = 0; c0 + g < C; g += 4) {
            v128_t acc = wasm_v128_load(w + g);
            for (size_t t = 0; t < nt; ++t)
              acc = wasm_f32x4_add(acc, wasm_f32x4_mul(wasm_v128_load(px + off[t] + g), wasm_v128_load(wt + tap[t] * 16 + g)));
            acc = wasm_f32x4_pmin(wasm_f32x4_pmax(acc, lo), hi);
            if (c0 + g + 4 <= C) {
              wasm_v128_store(out + c0 + g, acc);
            } else {
              float tmp[4];
              wasm_v128_store(tmp, acc);
              std::memcpy(out + c0 + g, tmp, (C - c0 - g) * sizeof(float));
            }
          }
        }
      }
    }
  }
}

}  // namespace wasmq

#endif  // WASMQ_HAVE_WASMSIMD

// WASM SIMD depthwise convolution, 16 channels per block, bit-exact to dwconv-scalar.cc: int8 uses
// exact int32 accumulation (dot_i16x8 over interleaved tap pairs, extmul for an odd last tap) and the SIMD requantize_fp32; float adds the taps
// in the same order with separate mul and add.
#include <algorithm>
#include <cstring>

#include "kernels/dwconv/dwconv.h"
#include "kernels/elementwise/qcheck.h"
#include "kernels/elementwise/requant-wasmsimd.h"

#if defined(WASMQ_HAVE_WASMSIMD)

namespace wasmq {
namespace {

template <typename T>
void qdwconv(const DwconvShape& s, const T* input, const uint8_t* packed, T* output, const QDwconvParams& p,
             size_t r0, size_t r1) {
  dwconv_detail::check_call(s, r0, r1);
  check_code<T>(p.input_zero_point, "dwconv input zero point");
  check_code<T>(p.output_zero_point, "dwconv output zero point");
  check_clamp<T>(p.qmin, p.qmax, "dwconv output clamp");
  const size_t oh = s.out_h(), ow = s.out_w(), C = s.channels;
  const size_t bb = dwconv_detail::qs8_block_bytes(s), blocks = (C + 15) / 16;
  const v128_t vzx = wasm_i16x8_splat(static_cast<int16_t>(p.input_zero_point));
  const RequantSimd rq(p.output_zero_point, p.qmin, p.qmax);
  dwconv_detail::Taps taps(s);
  for (size_t row = r0; row < r1; ++row) {
    const size_t b = row / oh, oy = row % oh;
    const T* img = input + b * s.in_h * s.in_w * s.in_stride();
    T* out = output + row * ow * s.out_stride();
    for (size_t ox = 0; ox < ow; ++ox, out += s.out_stride()) {
      taps.collect(s, oy, ox);
      const auto* win = img + taps.base;
      const ptrdiff_t* off = taps.offset;
      const uint32_t* tap = taps.tap;
      const size_t nt = taps.count;
      for (size_t blk = 0; blk < blocks; ++blk) {
        const uint8_t* w = packed + blk * bb;
        const size_t c0 = blk * 16;
        v128_t acc0 = wasm_v128_load(w), acc1 = wasm_v128_load(w + 16);
        v128_t acc2 = wasm_v128_load(w + 32), acc3 = wasm_v128_load(w + 48);
        const T* px = win + c0;
        const uint8_t* wt = w + 128;
        size_t t = 0;
        // Pairs of taps: interleave the two taps' int16 lanes and let i32x4.dot_i16x8 do two
        // multiply-adds per lane (|x - zx| * |w| <= 255 * 128, so a pair sum fits easily).
        for (; t + 1 < nt; t += 2) {
          v128_t x0lo, x0hi, x1lo, x1hi;
          widen_codes<T>(wasm_v128_load(px + off[t]), &x0lo, &x0hi);
          widen_codes<T>(wasm_v128_load(px + off[t + 1]), &x1lo, &x1hi);
          x0lo = wasm_i16x8_sub(x0lo, vzx);
          x0hi = wasm_i16x8_sub(x0hi, vzx);
          x1lo = wasm_i16x8_sub(x1lo, vzx);
          x1hi = wasm_i16x8_sub(x1hi, vzx);
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
          widen_codes<T>(wasm_v128_load(px + off[t]), &xlo, &xhi);
          xlo = wasm_i16x8_sub(xlo, vzx);
          xhi = wasm_i16x8_sub(xhi, vzx);
          const uint8_t* wk = wt + tap[t] * 32;
          const v128_t wlo = wasm_v128_load(wk), whi = wasm_v128_load(wk + 16);
          acc0 = wasm_i32x4_add(acc0, wasm_i32x4_extmul_low_i16x8(xlo, wlo));
          acc1 = wasm_i32x4_add(acc1, wasm_i32x4_extmul_high_i16x8(xlo, wlo));
          acc2 = wasm_i32x4_add(acc2, wasm_i32x4_extmul_low_i16x8(xhi, whi));
          acc3 = wasm_i32x4_add(acc3, wasm_i32x4_extmul_high_i16x8(xhi, whi));
        }
        const v128_t q = pack_codes<T>(rq.run(acc0, wasm_v128_load(w + 64)), rq.run(acc1, wasm_v128_load(w + 80)),
                                       rq.run(acc2, wasm_v128_load(w + 96)), rq.run(acc3, wasm_v128_load(w + 112)));
        if (c0 + 16 <= C) {
          wasm_v128_store(out + c0, q);
        } else {
          uint8_t tmp[16];
          wasm_v128_store(tmp, q);
          std::memcpy(out + c0, tmp, C - c0);
        }
      }
    }
  }
}

}  // namespace

void qs8_dwconv_minmax_fp32__wasmsimd_c16(const DwconvShape& s, const int8_t* input, const uint8_t* packed,
                                          int8_t* output, const QDwconvParams& p, size_t r0, size_t r1) {
  qdwconv(s, input, packed, output, p, r0, r1);
}

void qu8_dwconv_minmax_fp32__wasmsimd_c16(const DwconvShape& s, const uint8_t* input, const uint8_t* packed,
                                          uint8_t* output, const QDwconvParams& p, size_t r0, size_t r1) {
  qdwconv(s, input, packed, output, p, r0, r1);
}

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

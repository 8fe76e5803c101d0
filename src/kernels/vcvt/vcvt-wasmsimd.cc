// WASM SIMD conversion kernels, bit-exact to vcvt-scalar.cc (same float ops in the same order).
#include "kernels/vcvt/vcvt.h"
#include "simd/wasm_simd.h"

#if defined(WASMQ_HAVE_WASMSIMD)

namespace wasmq {
namespace {

// Equal to the scalar reference: clamping x / scale to [qmin - zp, qmax - zp] (whole numbers)
// before rounding gives the same code as rounding before clamping; then |t| < 2^22, so adding
// 1.5 * 2^23 rounds half to even and leaves the integer in the low mantissa bits. pmin/pmax are
// single instructions (no NaN can reach them: quantize() rejects non-finite input).
struct Quantize16 {
  v128_t scale, lo, hi, magic, bias;
  explicit Quantize16(const QuantizeParams& p)
      : scale(wasm_f32x4_splat(p.scale)),
        lo(wasm_f32x4_splat(p.qmin - p.zero_point)),
        hi(wasm_f32x4_splat(p.qmax - p.zero_point)),
        magic(wasm_f32x4_splat(12582912.0f)),
        bias(wasm_i32x4_splat(0x4B400000 - static_cast<int32_t>(p.zero_point))) {}
  v128_t codes4(v128_t x) const {
    v128_t t = wasm_f32x4_div(x, scale);
    t = wasm_f32x4_pmin(wasm_f32x4_pmax(t, lo), hi);
    return wasm_i32x4_sub(wasm_f32x4_add(t, magic), bias);
  }
  // 16 floats -> two i16x8 vectors of codes.
  void run(const float* x, v128_t* lo16, v128_t* hi16) const {
    const v128_t q0 = codes4(wasm_v128_load(x));
    const v128_t q1 = codes4(wasm_v128_load(x + 4));
    const v128_t q2 = codes4(wasm_v128_load(x + 8));
    const v128_t q3 = codes4(wasm_v128_load(x + 12));
    *lo16 = wasm_i16x8_narrow_i32x4(q0, q1);
    *hi16 = wasm_i16x8_narrow_i32x4(q2, q3);
  }
};

// 16 codes (already widened to i16) -> 16 floats: (q - zp) * scale.
inline void dequantize16(v128_t lo16, v128_t hi16, v128_t zp, v128_t scale, float* y) {
  const v128_t a = wasm_i32x4_sub(wasm_i32x4_extend_low_i16x8(lo16), zp);
  const v128_t b = wasm_i32x4_sub(wasm_i32x4_extend_high_i16x8(lo16), zp);
  const v128_t c = wasm_i32x4_sub(wasm_i32x4_extend_low_i16x8(hi16), zp);
  const v128_t d = wasm_i32x4_sub(wasm_i32x4_extend_high_i16x8(hi16), zp);
  wasm_v128_store(y, wasm_f32x4_mul(wasm_f32x4_convert_i32x4(a), scale));
  wasm_v128_store(y + 4, wasm_f32x4_mul(wasm_f32x4_convert_i32x4(b), scale));
  wasm_v128_store(y + 8, wasm_f32x4_mul(wasm_f32x4_convert_i32x4(c), scale));
  wasm_v128_store(y + 12, wasm_f32x4_mul(wasm_f32x4_convert_i32x4(d), scale));
}

}  // namespace

void f32_qs8_vcvt__wasmsimd_x16(size_t n, const float* x, int8_t* y, const QuantizeParams& p) {
  const Quantize16 q(p);
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    v128_t lo16, hi16;
    q.run(x + i, &lo16, &hi16);
    wasm_v128_store(y + i, wasm_i8x16_narrow_i16x8(lo16, hi16));
  }
  f32_qs8_vcvt__scalar(n - i, x + i, y + i, p);
}

void f32_qu8_vcvt__wasmsimd_x16(size_t n, const float* x, uint8_t* y, const QuantizeParams& p) {
  const Quantize16 q(p);
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    v128_t lo16, hi16;
    q.run(x + i, &lo16, &hi16);
    wasm_v128_store(y + i, wasm_u8x16_narrow_i16x8(lo16, hi16));
  }
  f32_qu8_vcvt__scalar(n - i, x + i, y + i, p);
}

void qs8_f32_vcvt__wasmsimd_x16(size_t n, const int8_t* x, float* y, const DequantizeParams& p) {
  const v128_t zp = wasm_i32x4_splat(p.zero_point);
  const v128_t scale = wasm_f32x4_splat(p.scale);
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const v128_t v = wasm_v128_load(x + i);
    dequantize16(wasm_i16x8_extend_low_i8x16(v), wasm_i16x8_extend_high_i8x16(v), zp, scale, y + i);
  }
  qs8_f32_vcvt__scalar(n - i, x + i, y + i, p);
}

void qu8_f32_vcvt__wasmsimd_x16(size_t n, const uint8_t* x, float* y, const DequantizeParams& p) {
  const v128_t zp = wasm_i32x4_splat(p.zero_point);
  const v128_t scale = wasm_f32x4_splat(p.scale);
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const v128_t v = wasm_v128_load(x + i);
    dequantize16(wasm_u16x8_extend_low_u8x16(v), wasm_u16x8_extend_high_u8x16(v), zp, scale, y + i);
  }
  qu8_f32_vcvt__scalar(n - i, x + i, y + i, p);
}

void x8_pack4__wasmsimd_x32(size_t n, const int8_t* codes, uint8_t* packed) {
  const v128_t mask = wasm_i8x16_splat(0x0F);
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    const v128_t a = wasm_v128_load(codes + i);
    const v128_t b = wasm_v128_load(codes + i + 16);
    const v128_t even = wasm_i8x16_shuffle(a, b, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const v128_t odd = wasm_i8x16_shuffle(a, b, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
    // Each odd byte is <= 15 after the mask, so a 16-bit lane shift by 4 stays inside its byte.
    const v128_t hi = wasm_i16x8_shl(wasm_v128_and(odd, mask), 4);
    wasm_v128_store(packed + i / 2, wasm_v128_or(wasm_v128_and(even, mask), hi));
  }
  x8_pack4__scalar(n - i, codes + i, packed + i / 2);
}

void qs4_unpack__wasmsimd_x32(size_t n, const uint8_t* packed, int8_t* codes) {
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    const v128_t b = wasm_v128_load(packed + i / 2);
    const v128_t lo = wasm_i8x16_shr(wasm_i8x16_shl(b, 4), 4);
    const v128_t hi = wasm_i8x16_shr(b, 4);
    wasm_v128_store(codes + i, wasm_i8x16_shuffle(lo, hi, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23));
    wasm_v128_store(codes + i + 16,
                    wasm_i8x16_shuffle(lo, hi, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31));
  }
  qs4_unpack__scalar(n - i, packed + i / 2, codes + i);
}

void qu4_unpack__wasmsimd_x32(size_t n, const uint8_t* packed, int8_t* codes) {
  const v128_t mask = wasm_i8x16_splat(0x0F);
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    const v128_t b = wasm_v128_load(packed + i / 2);
    const v128_t lo = wasm_v128_and(b, mask);
    const v128_t hi = wasm_u8x16_shr(b, 4);
    wasm_v128_store(codes + i, wasm_i8x16_shuffle(lo, hi, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23));
    wasm_v128_store(codes + i + 16,
                    wasm_i8x16_shuffle(lo, hi, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31));
  }
  qu4_unpack__scalar(n - i, packed + i / 2, codes + i);
}

}  // namespace wasmq

#endif  // WASMQ_HAVE_WASMSIMD

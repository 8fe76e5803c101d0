// float32 <-> float16 / bfloat16 conversions, round to nearest even, NaN and Inf preserved.
#pragma once

#include <cstddef>
#include <cstdint>

#include "common/bits.h"

namespace wasmq {

// IEEE binary16. Overflow (|x| >= 65520) rounds to Inf; NaN stays NaN (quiet bit set, top payload kept).
inline uint16_t fp32_to_fp16(float f) {
  const uint32_t x = float_bits(f);
  const uint16_t sign = static_cast<uint16_t>((x >> 16) & 0x8000u);
  uint32_t ax = x & 0x7FFFFFFFu;
  if (ax >= 0x7F800000u) {  // Inf or NaN
    const uint32_t nan = ax > 0x7F800000u ? (0x200u | ((ax >> 13) & 0x3FFu)) : 0u;
    return static_cast<uint16_t>(sign | 0x7C00u | nan);
  }
  if (ax >= 0x477FF000u) return static_cast<uint16_t>(sign | 0x7C00u);  // rounds to Inf
  if (ax < 0x38800000u) {
    // Result is subnormal (or zero): adding 0.5f puts the half-precision ulp (2^-24) at the
    // float ulp of [0.5, 1), so the FPU's own round-to-nearest-even does the rounding.
    const float shifted = bits_float(ax) + 0.5f;
    return static_cast<uint16_t>(sign | (float_bits(shifted) - 0x3F000000u));
  }
  const uint32_t odd = (ax >> 13) & 1u;
  ax += 0xC8000FFFu + odd;  // rebias exponent (127 -> 15) and round half to even
  return static_cast<uint16_t>(sign | (ax >> 13));
}

inline float fp16_to_fp32(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t e = (h >> 10) & 0x1Fu;
  const uint32_t m = h & 0x3FFu;
  if (e == 0x1F) return bits_float(sign | 0x7F800000u | (m << 13));
  if (e == 0) {
    const float v = static_cast<float>(m) * 5.9604644775390625e-8f;  // m * 2^-24, exact
    return sign ? -v : v;
  }
  return bits_float(sign | ((e + 112u) << 23) | (m << 13));
}

// bfloat16: the top half of a float32, rounded to nearest even; NaN kept as a quiet NaN.
inline uint16_t fp32_to_bf16(float f) {
  const uint32_t x = float_bits(f);
  if ((x & 0x7FFFFFFFu) > 0x7F800000u) return static_cast<uint16_t>((x >> 16) | 0x40u);
  const uint32_t rounded = x + 0x7FFFu + ((x >> 16) & 1u);
  return static_cast<uint16_t>(rounded >> 16);
}

inline float bf16_to_fp32(uint16_t h) { return bits_float(static_cast<uint32_t>(h) << 16); }

void convert_f32_to_f16(size_t n, const float* x, uint16_t* y);
void convert_f16_to_f32(size_t n, const uint16_t* x, float* y);
void convert_f32_to_bf16(size_t n, const float* x, uint16_t* y);
void convert_bf16_to_f32(size_t n, const uint16_t* x, float* y);

}  // namespace wasmq

// Scalar reference conversion kernels: the definition of quantize/dequantize rounding.
#include <algorithm>
#include <cmath>

#include "kernels/vcvt/vcvt.h"

namespace wasmq {
namespace {

inline float quantize_clamped(float x, const QuantizeParams& p) {
  float t = std::nearbyint(x / p.scale) + p.zero_point;  // ties to even (default FP environment)
  t = std::max(t, p.qmin);
  return std::min(t, p.qmax);
}

}  // namespace

void f32_qs8_vcvt__scalar(size_t n, const float* x, int8_t* y, const QuantizeParams& p) {
  for (size_t i = 0; i < n; ++i) y[i] = static_cast<int8_t>(static_cast<int32_t>(quantize_clamped(x[i], p)));
}

void f32_qu8_vcvt__scalar(size_t n, const float* x, uint8_t* y, const QuantizeParams& p) {
  for (size_t i = 0; i < n; ++i) y[i] = static_cast<uint8_t>(static_cast<int32_t>(quantize_clamped(x[i], p)));
}

void f32_qs16_vcvt__scalar(size_t n, const float* x, int16_t* y, const QuantizeParams& p) {
  for (size_t i = 0; i < n; ++i) y[i] = static_cast<int16_t>(static_cast<int32_t>(quantize_clamped(x[i], p)));
}

void qs16_f32_vcvt__scalar(size_t n, const int16_t* x, float* y, const DequantizeParams& p) {
  for (size_t i = 0; i < n; ++i) y[i] = static_cast<float>(static_cast<int32_t>(x[i]) - p.zero_point) * p.scale;
}

void qs8_f32_vcvt__scalar(size_t n, const int8_t* x, float* y, const DequantizeParams& p) {
  for (size_t i = 0; i < n; ++i) y[i] = static_cast<float>(static_cast<int32_t>(x[i]) - p.zero_point) * p.scale;
}

void qu8_f32_vcvt__scalar(size_t n, const uint8_t* x, float* y, const DequantizeParams& p) {
  for (size_t i = 0; i < n; ++i) y[i] = static_cast<float>(static_cast<int32_t>(x[i]) - p.zero_point) * p.scale;
}

void x8_pack4__scalar(size_t n, const int8_t* codes, uint8_t* packed) {
  size_t i = 0;
  for (; i + 1 < n; i += 2) {
    packed[i / 2] = static_cast<uint8_t>((codes[i] & 0x0F) | ((codes[i + 1] & 0x0F) << 4));
  }
  if (i < n) packed[i / 2] = static_cast<uint8_t>(codes[i] & 0x0F);
}

void qs4_unpack__scalar(size_t n, const uint8_t* packed, int8_t* codes) {
  for (size_t i = 0; i < n; ++i) {
    const int nibble = (packed[i / 2] >> ((i & 1) * 4)) & 0x0F;
    codes[i] = static_cast<int8_t>(nibble >= 8 ? nibble - 16 : nibble);
  }
}

void qu4_unpack__scalar(size_t n, const uint8_t* packed, int8_t* codes) {
  for (size_t i = 0; i < n; ++i) codes[i] = static_cast<int8_t>((packed[i / 2] >> ((i & 1) * 4)) & 0x0F);
}

}  // namespace wasmq

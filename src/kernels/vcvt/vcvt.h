// Quantize/dequantize conversion kernels (float32 <-> int8/uint8 codes, int4 nibble packing).
//
// Naming follows <input>_<output>_<op>__<isa>[_<tile>]: f32_qs8_vcvt__wasmsimd_x16 converts float32
// to signed 8-bit codes, 16 elements per loop iteration. The __scalar versions are the reference:
// always compiled, the fallback, and the oracle the SIMD versions must equal bit for bit.
// Memory contract: these kernels never read or write past element n-1 (tails are done one by one).
#pragma once

#include <cstddef>
#include <cstdint>

namespace wasmq {

// q = clamp(round_half_even(x / scale) + zero_point, qmin, qmax), the division in float32.
// The zero point and bounds are carried as floats: the clamp happens in float before the
// conversion, which equals ONNX's integer add-then-saturate for every input (|codes| < 2^24).
struct QuantizeParams {
  float scale;
  float zero_point;
  float qmin;
  float qmax;
};

// x = float(q - zero_point) * scale, exactly ONNX DequantizeLinear.
struct DequantizeParams {
  float scale;
  int32_t zero_point;
};


typedef void (*f32_qs8_vcvt_fn)(size_t n, const float* x, int8_t* y, const QuantizeParams& p);
typedef void (*f32_qu8_vcvt_fn)(size_t n, const float* x, uint8_t* y, const QuantizeParams& p);
typedef void (*qs8_f32_vcvt_fn)(size_t n, const int8_t* x, float* y, const DequantizeParams& p);
typedef void (*qu8_f32_vcvt_fn)(size_t n, const uint8_t* x, float* y, const DequantizeParams& p);
// n codes (each in [-8, 7] or [0, 15]) -> ceil(n / 2) bytes, element 2i in the low nibble.
typedef void (*x8_pack4_fn)(size_t n, const int8_t* codes, uint8_t* packed);
// ceil(n / 2) bytes -> n codes, sign-extended (qs4) or zero-extended (qu4).
typedef void (*x4_unpack_fn)(size_t n, const uint8_t* packed, int8_t* codes);

void f32_qs8_vcvt__scalar(size_t n, const float* x, int8_t* y, const QuantizeParams& p);
// int16 codes (A16W8 activations at a model's float boundary; the reference loop is the only one).
void f32_qs16_vcvt__scalar(size_t n, const float* x, int16_t* y, const QuantizeParams& p);
void qs16_f32_vcvt__scalar(size_t n, const int16_t* x, float* y, const DequantizeParams& p);
void f32_qu8_vcvt__scalar(size_t n, const float* x, uint8_t* y, const QuantizeParams& p);
void qs8_f32_vcvt__scalar(size_t n, const int8_t* x, float* y, const DequantizeParams& p);
void qu8_f32_vcvt__scalar(size_t n, const uint8_t* x, float* y, const DequantizeParams& p);
void x8_pack4__scalar(size_t n, const int8_t* codes, uint8_t* packed);
void qs4_unpack__scalar(size_t n, const uint8_t* packed, int8_t* codes);
void qu4_unpack__scalar(size_t n, const uint8_t* packed, int8_t* codes);

#if defined(WASMQ_HAVE_WASMSIMD)
void f32_qs8_vcvt__wasmsimd_x16(size_t n, const float* x, int8_t* y, const QuantizeParams& p);
void f32_qu8_vcvt__wasmsimd_x16(size_t n, const float* x, uint8_t* y, const QuantizeParams& p);
void qs8_f32_vcvt__wasmsimd_x16(size_t n, const int8_t* x, float* y, const DequantizeParams& p);
void qu8_f32_vcvt__wasmsimd_x16(size_t n, const uint8_t* x, float* y, const DequantizeParams& p);
void x8_pack4__wasmsimd_x32(size_t n, const int8_t* codes, uint8_t* packed);
void qs4_unpack__wasmsimd_x32(size_t n, const uint8_t* packed, int8_t* codes);
void qu4_unpack__wasmsimd_x32(size_t n, const uint8_t* packed, int8_t* codes);
#endif

// The implementations the library uses, chosen once for the build (SIMD when compiled in).
struct VcvtConfig {
  f32_qs8_vcvt_fn f32_qs8;
  f32_qu8_vcvt_fn f32_qu8;
  qs8_f32_vcvt_fn qs8_f32;
  qu8_f32_vcvt_fn qu8_f32;
  x8_pack4_fn pack4;
  x4_unpack_fn qs4_unpack;
  x4_unpack_fn qu4_unpack;
};
const VcvtConfig& vcvt_config();

}  // namespace wasmq

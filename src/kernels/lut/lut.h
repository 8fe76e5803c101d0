// int8/uint8 activations through 256-entry lookup tables: a table builder (out[q] =
// quantize(f(dequantize(q))), computed in double) and the byte-lookup kernels y[i] = table[x[i]],
// with 8-bit outputs (x8_lut) or int16 outputs (x8_lut16, A16W8: int8 in, int16 codes out).
//
// Tables are indexed by the BYTE of the code: for int8 inputs table[uint8_t(q)], so one kernel
// (x8_lut) serves int8 and uint8. Memory contract: x8_lut kernels read exactly n input bytes and
// the 256 table bytes, and write exactly n bytes (SIMD main loop, scalar tail); x8_lut16 kernels
// read exactly n input bytes and the 256 int16 table entries, and write exactly n int16.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>

namespace wasmq {

typedef void (*x8_lut_fn)(size_t n, const uint8_t* x, uint8_t* y, const uint8_t* table);

void x8_lut__scalar(size_t n, const uint8_t* x, uint8_t* y, const uint8_t* table);
#if defined(WASMQ_HAVE_WASMSIMD)
// 16 i8x16.swizzle over the 16 slices of the table, OR-combined (swizzle gives 0 for index >= 16).
void x8_lut__wasmsimd_x16(size_t n, const uint8_t* x, uint8_t* y, const uint8_t* table);
void x8_lut__wasmsimd_x32(size_t n, const uint8_t* x, uint8_t* y, const uint8_t* table);
#endif

// The lookup kernel this build uses (the fastest measured one, see docs/kernels-nn.md).
x8_lut_fn x8_lut_config();

// 8-bit codes -> int16 through a 256-entry int16 table indexed by the byte of the code: y[i] = table[x[i]].
typedef void (*x8_lut16_fn)(size_t n, const uint8_t* x, int16_t* y, const int16_t* table);

void x8_lut16__scalar(size_t n, const uint8_t* x, int16_t* y, const int16_t* table);
#if defined(WASMQ_HAVE_WASMSIMD)
// The table split into its low-byte and high-byte halves (two x8_lut tables), both looked up with
// the 16-swizzle scheme, then the bytes interleaved back into int16 lanes.
void x8_lut16__wasmsimd_x16(size_t n, const uint8_t* x, int16_t* y, const int16_t* table);
#endif

// The int16-output lookup kernel this build uses.
x8_lut16_fn x8_lut16_config();

// int16 codes through 65536-entry tables indexed by uint16(x) (an int16 tensor's hard-swish chain,
// A16W8): scalar gathers (wasm SIMD has no gather). Read exactly n inputs, write exactly n outputs.
void x16_lut__scalar(size_t n, const uint16_t* x, uint8_t* y, const uint8_t* table);
void x16_lut16__scalar(size_t n, const uint16_t* x, int16_t* y, const int16_t* table);

// Quantization of one side of the table: real = scale * (q - zero_point).
struct LutQuant {
  float scale;
  int32_t zero_point;
  bool is_signed;  // int8 codes (-128..127) or uint8 codes (0..255)
};

// table[byte(q)] = clamp(round_half_even(f(in.scale * (q - in.zp)) / out.scale) + out.zp, qmin, qmax)
// for every code q of the input type, in double. qmin/qmax default to the output type's range.
// Throws wasmq::Error on bad scales / zero points.
void build_lut(const LutQuant& in, const LutQuant& out, const std::function<double(double)>& f, uint8_t* table);
void build_lut(const LutQuant& in, const LutQuant& out, int32_t qmin, int32_t qmax,
               const std::function<double(double)>& f, uint8_t* table);

// table[byte(q)] = clamp(round_half_even(f(in.scale * (q - in.zp)) / out.scale) + out.zp, qmin, qmax) in double,
// int16 output codes (out.is_signed ignored; out.zero_point and qmin <= qmax within -32768..32767).
// Throws wasmq::Error on bad scales / zero points / ranges.
void build_lut16(const LutQuant& in, const LutQuant& out, int32_t qmin, int32_t qmax,
                 const std::function<double(double)>& f, int16_t* table);

// Named activations for tables (double precision, std:: math).
enum class LutActivation {
  kSigmoid,
  kTanh,
  kGeluErf,      // 0.5 x (1 + erf(x / sqrt 2))
  kGeluTanh,     // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
  kHardSwish,    // x * relu6(x + 3) / 6
  kHardSigmoid,  // max(0, min(1, alpha x + beta)); alpha 1/6, beta 0.5 unless given
  kLeakyRelu,    // x < 0 ? alpha x : x
  kElu,          // x < 0 ? alpha (exp(x) - 1) : x
  kSilu,         // x * sigmoid(x)
  kExp,
  kRelu,
};
std::function<double(double)> lut_activation(LutActivation a, double alpha = 0.0, double beta = 0.0);

}  // namespace wasmq

// Array conversions between float32 and the 16-bit float formats (scalar: they are memory bound).
#include "quant/fp16.h"

namespace wasmq {

void convert_f32_to_f16(size_t n, const float* x, uint16_t* y) {
  for (size_t i = 0; i < n; ++i) y[i] = fp32_to_fp16(x[i]);
}
void convert_f16_to_f32(size_t n, const uint16_t* x, float* y) {
  for (size_t i = 0; i < n; ++i) y[i] = fp16_to_fp32(x[i]);
}
void convert_f32_to_bf16(size_t n, const float* x, uint16_t* y) {
  for (size_t i = 0; i < n; ++i) y[i] = fp32_to_bf16(x[i]);
}
void convert_bf16_to_f32(size_t n, const uint16_t* x, float* y) {
  for (size_t i = 0; i < n; ++i) y[i] = bf16_to_fp32(x[i]);
}

}  // namespace wasmq

// Dynamically quantized linear layer (qd8): float activations quantized per row at run time,
// int8 GEMM against packed int8 weights, float output with bias (what quantize_dynamic models run).
//
// Activation rule: ONNX DynamicQuantizeLinear (uint8, asymmetric), applied to each row of A on its
// own (or to all of A with per_row = false, which is exactly ONNX's per-tensor operator):
//   rmin = min(0, min(x)), rmax = max(0, max(x)), scale = (rmax - rmin) / 255 (float32),
//   zp = clamp(round_half_even(0 - rmin / scale), 0, 255), q = clamp(round_half_even(x / scale) + zp, 0, 255)
// (qparams_from_range(rmin, rmax, kUInt8, kAffine) and the f32_qu8 vcvt kernel; a row of zeros
// gets scale 1, zp 0). Then y[m][n] = float(sum_k (q[m][k] - zp[m]) * W[n][k]) * (scale[m] *
// w_scale[n]) + bias[n], clamped to [fmin, fmax]: the f32 output of qs8-gemm.h.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/qs8-gemm/qs8-gemm.h"

namespace wasmq {

// Bytes of caller-provided scratch (4-byte aligned) for m rows of depth k: the uint8 codes with
// row stride qs8_gemm_kc(k) (so the GEMM's 7-byte read past each row stays inside), plus per-row
// zero points and scales. The run step allocates nothing.
size_t qd8_scratch_size(size_t m, size_t k);

// Quantizes rows [0, m) of A into `scratch` (the layout above).
void qd8_quantize_rows(size_t m, size_t k, const float* a, size_t a_stride, bool per_row, void* scratch);

struct Qd8GemmArgs {
  const void* packed_w;   // packed by qgemm_config().packw, usually with a null int32 bias
  const float* w_scale;   // [n] per output channel (per tensor: n equal values)
  const float* bias;      // [n] float bias, or null
  float fmin = -3.402823466e38f, fmax = 3.402823466e38f;
  bool per_row = true;
};

// C[m][n] for all m rows and columns [n_begin, n_end) (n_begin a multiple of 4), through
// qgemm_config() (its packing). Quantizes A into scratch first.
void qd8_f32_gemm(size_t m, size_t n_begin, size_t n_end, size_t k, const float* a, size_t a_stride,
                  const Qd8GemmArgs& args, float* c, size_t c_stride, void* scratch);

}  // namespace wasmq

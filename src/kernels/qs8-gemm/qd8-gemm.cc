// Dynamic per-row activation quantization (ONNX DynamicQuantizeLinear rule) + int8 GEMM with float output.
#include "kernels/qs8-gemm/qd8-gemm.h"

#include <algorithm>

#include "kernels/vcvt/vcvt.h"
#include "quant/qparams.h"

namespace wasmq {
namespace {

struct Scratch {
  uint8_t* codes;
  int32_t* zp;
  float* scale;
  size_t stride;
};

Scratch layout(size_t m, size_t k, void* scratch) {
  Scratch s;
  s.stride = qs8_gemm_kc(k);
  s.zp = static_cast<int32_t*>(scratch);
  s.scale = reinterpret_cast<float*>(s.zp + m);
  s.codes = reinterpret_cast<uint8_t*>(s.scale + m);
  return s;
}

void row_range(const float* x, size_t k, float* lo, float* hi) {
  for (size_t i = 0; i < k; ++i) {
    *lo = std::min(*lo, x[i]);
    *hi = std::max(*hi, x[i]);
  }
}

}  // namespace

size_t qd8_scratch_size(size_t m, size_t k) {
  return m * (sizeof(int32_t) + sizeof(float)) + m * qs8_gemm_kc(k) + kQs8GemmKR;
}

void qd8_quantize_rows(size_t m, size_t k, const float* a, size_t a_stride, bool per_row, void* scratch) {
  const Scratch s = layout(m, k, scratch);
  const VcvtConfig& vcvt = vcvt_config();
  float glo = 0.0f, ghi = 0.0f;
  if (!per_row) {
    for (size_t r = 0; r < m; ++r) row_range(a + r * a_stride, k, &glo, &ghi);
  }
  for (size_t r = 0; r < m; ++r) {
    float lo = glo, hi = ghi;
    if (per_row) row_range(a + r * a_stride, k, &lo, &hi);
    const QParams qp = qparams_from_range(lo, hi, DType::kUInt8, Scheme::kAffine);
    s.zp[r] = qp.zero_point;
    s.scale[r] = qp.scale;
    const QuantizeParams vp{qp.scale, static_cast<float>(qp.zero_point), 0.0f, 255.0f};
    uint8_t* q = s.codes + r * s.stride;
    vcvt.f32_qu8(k, a + r * a_stride, q, vp);
    std::fill(q + k, q + s.stride, static_cast<uint8_t>(0));  // padding: defined, never used
  }
}

void qd8_f32_gemm(size_t m, size_t n_begin, size_t n_end, size_t k, const float* a, size_t a_stride,
                  const Qd8GemmArgs& args, float* c, size_t c_stride, void* scratch) {
  qd8_quantize_rows(m, k, a, a_stride, args.per_row, scratch);
  const Scratch s = layout(m, k, scratch);
  QGemmParams p;
  p.a_zero_point = s.zp;
  p.a_scale = s.scale;
  p.a_quant_stride = 1;
  p.scale = args.w_scale;
  p.fbias = args.bias;
  p.fmin = args.fmin;
  p.fmax = args.fmax;
  qgemm_config().qu8_f32(0, m, n_begin, n_end, k, s.codes, s.stride, args.packed_w, c, c_stride, p);
}

}  // namespace wasmq

// Int8 NHWC convolution (qs8/qu8): per-group packed weights, im2col or direct 1x1, then the int8 GEMM.
#include <cmath>
#include <limits>
#include <string>

#include "common/error.h"
#include "kernels/conv/conv.h"

namespace wasmq {
namespace {

template <typename TA> using QMinMaxFn = qgemm_fn<TA, TA>;
inline QMinMaxFn<int8_t> minmax_kernel(const QGemmConfig& c, int8_t*) { return c.qs8_minmax; }
inline QMinMaxFn<uint8_t> minmax_kernel(const QGemmConfig& c, uint8_t*) { return c.qu8_minmax; }

}  // namespace

template <typename TA>
QConv2d<TA>::QConv2d(const ConvShape& s, const int8_t* weights, const int32_t* bias, const Quant& q) : s_(s) {
  s.validate();
  WASMQ_CHECK(q.in_scale > 0.0f && q.out_scale > 0.0f && std::isfinite(q.in_scale) && std::isfinite(q.out_scale),
              "conv: input and output scales must be positive and finite");
  const int32_t lo = std::numeric_limits<TA>::min(), hi = std::numeric_limits<TA>::max();
  const std::string range = "[" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
  WASMQ_CHECK(q.in_zero_point >= lo && q.in_zero_point <= hi, "conv: input zero point must be in " + range);
  WASMQ_CHECK(q.out_zero_point >= lo && q.out_zero_point <= hi, "conv: output zero point must be in " + range);
  WASMQ_CHECK(q.qmin >= lo && q.qmax <= hi && q.qmin <= q.qmax, "conv: need " + range + " to contain qmin <= qmax");
  const QGemmConfig& cfg = qgemm_config();
  const size_t go = s.group_out(), k = s.k();
  group_bytes_ = qs8_packw_size(go, k, cfg.w_bytes);
  packed_.resize(s.groups * group_bytes_);
  for (size_t g = 0; g < s.groups; ++g) {
    cfg.packw(go, k, weights + g * go * k, k, 1, bias ? bias + g * go : nullptr, packed_.data() + g * group_bytes_);
  }
  // Requantization scale per output channel, in float32: in_scale * w_scale / out_scale.
  scale_.resize(s.out_c);
  for (size_t o = 0; o < s.out_c; ++o) {
    const float ws = q.w_scale[q.w_per_channel ? o : 0];
    WASMQ_CHECK(ws > 0.0f && std::isfinite(ws), "conv: weight scales must be positive and finite");
    scale_[o] = q.in_scale * ws / q.out_scale;
  }
  in_zp_ = q.in_zero_point;
  params_.a_quant_stride = 0;
  params_.c_zero_point = q.out_zero_point;
  params_.qmin = q.qmin;
  params_.qmax = q.qmax;
}

template <typename TA>
size_t QConv2d<TA>::scratch_size() const {
  return s_.direct_1x1() ? 0 : s_.pixels() * qs8_gemm_kc(s_.k()) + kQs8GemmKR;
}

template <typename TA>
void QConv2d<TA>::run(const TA* input, TA* output, void* scratch) const {
  const auto gemm = minmax_kernel(qgemm_config(), static_cast<TA*>(nullptr));
  const size_t go = s_.group_out(), k = s_.k();
  QGemmParams p = params_;
  p.a_zero_point = &in_zp_;
  for (size_t g = 0; g < s_.groups; ++g) {
    p.scale = scale_.data() + g * go;
    const uint8_t* w = packed_.data() + g * group_bytes_;
    if (s_.direct_1x1()) {
      // One GEMM per output row: its pixels are stride_w * in_c apart in the input.
      const size_t oh = s_.out_h(), ow = s_.out_w();
      for (size_t b = 0; b < s_.batch; ++b) {
        for (size_t oy = 0; oy < oh; ++oy) {
          const TA* a = input + ((b * s_.in_h + oy * s_.stride_h) * s_.in_w) * s_.in_c + g * s_.group_in();
          TA* c = output + ((b * oh + oy) * ow) * s_.out_c + g * go;
          gemm(0, ow, 0, go, k, a, s_.stride_w * s_.in_c, w, c, s_.out_c, p);
        }
      }
    } else {
      TA* rows = static_cast<TA*>(scratch);
      const size_t stride = qs8_gemm_kc(k);
      im2col_nhwc<TA>(s_, g, input, static_cast<TA>(in_zp_), rows, stride);
      gemm(0, s_.pixels(), 0, go, k, rows, stride, w, output + g * go, s_.out_c, p);
    }
  }
}

template class QConv2d<int8_t>;
template class QConv2d<uint8_t>;

}  // namespace wasmq

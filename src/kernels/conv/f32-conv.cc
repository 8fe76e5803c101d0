// Float32 NHWC convolution: per-group packed weights, im2col or direct 1x1, then the f32 GEMM.
#include "common/error.h"
#include "kernels/conv/conv.h"

namespace wasmq {

F32Conv2d::F32Conv2d(const ConvShape& s, const float* weights, const float* bias, float fmin, float fmax)
    : s_(s), params_{fmin, fmax} {
  s.validate();
  WASMQ_CHECK(fmin <= fmax, "conv: fmin must be <= fmax");
  const size_t go = s.group_out(), k = s.k();
  group_floats_ = f32_packw_size(go, k);
  packed_.resize(s.groups * group_floats_);
  for (size_t g = 0; g < s.groups; ++g) {
    f32_packw(go, k, weights + g * go * k, k, 1, bias ? bias + g * go : nullptr, packed_.data() + g * group_floats_);
  }
}

size_t F32Conv2d::scratch_size() const { return s_.direct_1x1() ? 0 : s_.pixels() * s_.k() * sizeof(float); }

void F32Conv2d::run(const float* input, float* output, void* scratch) const {
  const f32_gemm_fn gemm = f32_gemm_config().gemm;
  const size_t go = s_.group_out(), k = s_.k();
  for (size_t g = 0; g < s_.groups; ++g) {
    const float* w = packed_.data() + g * group_floats_;
    if (s_.direct_1x1()) {
      const size_t oh = s_.out_h(), ow = s_.out_w();
      for (size_t b = 0; b < s_.batch; ++b) {
        for (size_t oy = 0; oy < oh; ++oy) {
          const float* a = input + ((b * s_.in_h + oy * s_.stride_h) * s_.in_w) * s_.in_c + g * s_.group_in();
          float* c = output + ((b * oh + oy) * ow) * s_.out_c + g * go;
          gemm(0, ow, 0, go, k, a, s_.stride_w * s_.in_c, w, c, s_.out_c, params_);
        }
      }
    } else {
      float* rows = static_cast<float*>(scratch);
      im2col_nhwc<float>(s_, g, input, 0.0f, rows, k);
      gemm(0, s_.pixels(), 0, go, k, rows, k, w, output + g * go, s_.out_c, params_);
    }
  }
}

}  // namespace wasmq

// Builder-style tester for depthwise convolution: the build's kernel (SIMD) == scalar packed kernel
// (bit for bit), scalar == a plain loop over the unpacked weights, plain loop vs double <= 1 code.
#pragma once

#include <algorithm>
#include <cmath>
#include <sstream>
#include <vector>

#include "dwconv_shape_builder.h"
#include "common/bits.h"
#include "kernels/dwconv/dwconv.h"
#include "kernels/requant/requant.h"
#include "test_util.h"

namespace wasmq_test {

class DwconvTester : public DwconvShapeBuilder<DwconvTester> {
 public:
  DwconvTester& is_signed(bool v) { signed_ = v; return *this; }
  DwconvTester& input_zero_point(int32_t v) { zx_ = v; return *this; }
  DwconvTester& output_zero_point(int32_t v) { zy_ = v; return *this; }
  DwconvTester& qmin(int32_t v) { qmin_ = v; return *this; }
  DwconvTester& qmax(int32_t v) { qmax_ = v; return *this; }
  DwconvTester& seed(uint64_t v) { seed_ = v; return *this; }

  const wasmq::DwconvShape& shape() const { return s_; }

  std::string describe() const {
    std::ostringstream o;
    o << "dwconv N=" << s_.batch << " HxW=" << s_.in_h << "x" << s_.in_w << " C=" << s_.channels << " k="
      << s_.kernel_h << "x" << s_.kernel_w << " s=" << s_.stride_h << "x" << s_.stride_w << " d=" << s_.dilation_h
      << "x" << s_.dilation_w << " pad(t,l,b,r)=" << s_.pad_top << "," << s_.pad_left << "," << s_.pad_bottom << ","
      << s_.pad_right << " strides(in,out)=" << s_.in_stride() << "," << s_.out_stride()
      << (signed_ ? " qs8" : " qu8") << " zx=" << zx_ << " zy=" << zy_ << " clamp=[" << qmin_ << "," << qmax_
      << "] seed=" << seed_;
    return o.str();
  }

  void test_q() const {
    if (signed_) run_q<int8_t>(); else run_q<uint8_t>();
  }

  void test_f32() const {
    const size_t C = s_.channels, taps = s_.kernel_h * s_.kernel_w;
    const size_t oh = s_.out_h(), ow = s_.out_w();
    const size_t in_n = s_.batch * s_.in_h * s_.in_w * s_.in_stride(), out_n = s_.batch * oh * ow * s_.out_stride();
    std::vector<float> x = normal(in_n + 4, seed_);  // +16 bytes: the documented over-read
    std::vector<float> w = normal(taps * C, seed_ + 1, 0.0f, 0.5f), bias = normal(C, seed_ + 2);
    const std::vector<uint8_t> packed = wasmq::f32_dwconv_pack(s_, w.data(), bias.data());
    const wasmq::F32DwconvParams p{fmin_, fmax_};
    std::vector<float> y_ref(out_n, 777.0f), y_simd(out_n, 777.0f);
    const size_t rows = s_.batch * oh;
    wasmq::f32_dwconv_minmax__scalar(s_, x.data(), packed.data(), y_ref.data(), p, 0, rows);
    wasmq::dwconv_config().f32(s_, x.data(), packed.data(), y_simd.data(), p, 0, rows / 2);
    wasmq::dwconv_config().f32(s_, x.data(), packed.data(), y_simd.data(), p, rows / 2, rows);
    for (size_t row = 0; row < rows; ++row) {
      for (size_t ox = 0; ox < ow; ++ox) {
        for (size_t c = 0; c < s_.out_stride(); ++c) {
          const size_t i = (row * ow + ox) * s_.out_stride() + c;
          INFO(describe() << " f32 at row " << row << " ox " << ox << " c " << c);
          REQUIRE(wasmq::float_bits(y_simd[i]) == wasmq::float_bits(y_ref[i]));
          if (c >= C) {
            REQUIRE(y_ref[i] == 777.0f);  // gap between pixels untouched
            continue;
          }
          // Plain loop in the documented order (bitwise), and double (relative to sum |x w|).
          float acc = bias[c];
          double dacc = bias[c], mag = std::fabs(bias[c]);
          visit_taps(row % oh, ox, [&](size_t off, size_t t) {
            const float xv = x[(row / oh) * s_.in_h * s_.in_w * s_.in_stride() + off + c];
            acc = acc + xv * w[t * C + c];
            dacc += static_cast<double>(xv) * w[t * C + c];
            mag += std::fabs(static_cast<double>(xv) * w[t * C + c]);
          });
          REQUIRE(wasmq::float_bits(y_ref[i]) == wasmq::float_bits(std::min(std::max(acc, fmin_), fmax_)));
          const double dc = std::min<double>(std::max<double>(dacc, fmin_), fmax_);
          REQUIRE(std::fabs(y_ref[i] - dc) <= 1e-6 * (mag + 1.0));
        }
      }
    }
  }

  DwconvTester& f32_clamp(float lo, float hi) { fmin_ = lo; fmax_ = hi; return *this; }

 private:

  template <typename T>
  void run_q() const {
    const int32_t lo = signed_ ? -128 : 0, hi = signed_ ? 127 : 255;
    const int32_t qmin = std::max(qmin_, lo), qmax = std::min(qmax_, hi);
    const size_t C = s_.channels, taps = s_.kernel_h * s_.kernel_w;
    const size_t oh = s_.out_h(), ow = s_.out_w();
    const size_t in_n = s_.batch * s_.in_h * s_.in_w * s_.in_stride(), out_n = s_.batch * oh * ow * s_.out_stride();
    wasmq::Rng rng(seed_);
    std::vector<T> x(in_n + 16);  // + 16 bytes: the documented over-read
    for (auto& v : x) v = static_cast<T>(lo + static_cast<int32_t>(rng.below(256)));
    std::vector<int8_t> w(taps * C);
    for (auto& v : w) v = static_cast<int8_t>(static_cast<int32_t>(rng.below(256)) - 128);
    std::vector<int32_t> bias(C);
    for (auto& v : bias) v = static_cast<int32_t>(rng.below(20001)) - 10000;
    std::vector<float> wscale(C);
    for (auto& v : wscale) v = 0.002f + 0.01f * static_cast<float>(rng.uniform());  // per-channel
    const float sx = 0.05f;
    // Output scale from the accumulator spread so outputs use the whole range (not only the clamp).
    // (Mean count of in-image taps: on short inputs most of a 5x5 window is padding.)
    size_t valid = 0;
    for (size_t oy = 0; oy < oh; ++oy)
      for (size_t ox = 0; ox < ow; ++ox) visit_taps(oy, ox, [&](size_t, size_t) { ++valid; });
    const float mean_taps = std::max(1.0f, static_cast<float>(valid) / static_cast<float>(oh * ow));
    const float sy = sx * 0.01f * std::sqrt(mean_taps) * 128.0f * 0.5f;
    const std::vector<float> rs = wasmq::dwconv_requant_scales(sx, wscale.data(), C, sy);
    const std::vector<uint8_t> packed = wasmq::qs8_dwconv_pack(s_, w.data(), bias.data(), rs.data());
    const wasmq::QDwconvParams p{zx_, zy_, qmin, qmax};
    const T sentinel = static_cast<T>(0x5A);
    std::vector<T> y_ref(out_n, sentinel), y_simd(out_n, sentinel);
    const size_t rows = s_.batch * oh;
    call(wasmq::qs8_dwconv_minmax_fp32__scalar, wasmq::qu8_dwconv_minmax_fp32__scalar, x.data(), packed.data(),
         y_ref.data(), p, 0, rows);
    const size_t mid = (rows + 1) / 2;
    call(wasmq::dwconv_config().qs8, wasmq::dwconv_config().qu8, x.data(), packed.data(), y_simd.data(), p, 0, mid);
    call(wasmq::dwconv_config().qs8, wasmq::dwconv_config().qu8, x.data(), packed.data(), y_simd.data(), p, mid, rows);
    size_t in_range = 0;
    for (size_t row = 0; row < rows; ++row) {
      for (size_t ox = 0; ox < ow; ++ox) {
        for (size_t c = 0; c < s_.out_stride(); ++c) {
          const size_t i = (row * ow + ox) * s_.out_stride() + c;
          INFO(describe() << " at row " << row << " ox " << ox << " c " << c << ": simd " << int(y_simd[i])
                          << " scalar " << int(y_ref[i]));
          REQUIRE(static_cast<int32_t>(y_simd[i]) == static_cast<int32_t>(y_ref[i]));
          if (c >= C) {
            REQUIRE(y_ref[i] == sentinel);
            continue;
          }
          int32_t acc = bias[c];
          double real = 0.0;
          visit_taps(row % oh, ox, [&](size_t off, size_t t) {
            const int32_t xv = x[(row / oh) * s_.in_h * s_.in_w * s_.in_stride() + off + c];
            acc += (xv - zx_) * w[t * C + c];
          });
          real = static_cast<double>(sx) * wscale[c] * acc;
          const int32_t expect = wasmq::requantize_fp32(acc, rs[c], zy_, qmin, qmax);
          INFO("acc " << acc);
          REQUIRE(static_cast<int32_t>(y_ref[i]) == expect);
          double q = std::nearbyint(real / sy) + zy_;
          q = std::min<double>(std::max<double>(q, qmin), qmax);
          REQUIRE(std::fabs(q - expect) <= 1.0);
          if (expect > qmin && expect < qmax) ++in_range;
        }
      }
    }
    // The scales are meant to exercise rounding, not only saturation (checked on outputs large
    // enough for the fraction to mean something, with an output zero point off the type limits).
    INFO(describe() << ": " << in_range << " of " << rows * ow * C << " outputs inside the clamp");
    if (qmax - qmin > 100 && zy_ > lo && zy_ < hi && rows * ow * C >= 64) REQUIRE(in_range * 4 >= rows * ow * C);
  }

  template <class F8, class U8, typename T>
  void call(F8 f8, U8 u8, const T* x, const uint8_t* packed, T* y, const wasmq::QDwconvParams& p, size_t r0,
            size_t r1) const {
    if constexpr (std::is_same<T, int8_t>::value) f8(s_, x, packed, y, p, r0, r1);
    else u8(s_, x, packed, y, p, r0, r1);
  }

  bool signed_ = true;
  int32_t zx_ = 0, zy_ = 0, qmin_ = -1000, qmax_ = 1000;
  float fmin_ = -INFINITY, fmax_ = INFINITY;
  uint64_t seed_ = 1;
};

}  // namespace wasmq_test

// Builder-style tester for pooling: build's kernel (SIMD) == scalar reference bit for bit; reference
// == a plain loop (max exactly, int8 average via requantize_fp32 exactly, float in tap order
// bitwise), and the int8 average within 1 code of the double formula.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <vector>

#include "dwconv_shape_builder.h"
#include "common/bits.h"
#include "kernels/pool/pool.h"
#include "kernels/requant/requant.h"
#include "test_util.h"

namespace wasmq_test {

enum class PoolKind { kMax, kAvg };
enum class PoolType { kQs8, kQu8, kF32 };

class PoolTester : public DwconvShapeBuilder<PoolTester> {
 public:
  PoolTester& kind(PoolKind v) { kind_ = v; return *this; }
  PoolTester& type(PoolType v) { type_ = v; return *this; }
  PoolTester& zero_points(int32_t in, int32_t out) { zx_ = in; zy_ = out; return *this; }
  PoolTester& scales(float in, float out) { sx_ = in; sy_ = out; return *this; }
  PoolTester& qclamp(int32_t lo, int32_t hi) { qmin_ = lo; qmax_ = hi; return *this; }
  PoolTester& fclamp(float lo, float hi) { fmin_ = lo; fmax_ = hi; return *this; }
  PoolTester& count_include_pad(bool v) { include_pad_ = v; return *this; }
  PoolTester& seed(uint64_t v) { seed_ = v; return *this; }
  const wasmq::PoolShape& shape() const { return s_; }

  std::string describe() const {
    std::ostringstream o;
    o << (kind_ == PoolKind::kMax ? "maxpool " : "avgpool ")
      << (type_ == PoolType::kQs8 ? "qs8" : type_ == PoolType::kQu8 ? "qu8" : "f32") << " N=" << s_.batch
      << " HxW=" << s_.in_h << "x" << s_.in_w << " C=" << s_.channels << " k=" << s_.kernel_h << "x" << s_.kernel_w
      << " s=" << s_.stride_h << "x" << s_.stride_w << " d=" << s_.dilation_h << "x" << s_.dilation_w
      << " pad=" << s_.pad_top << "," << s_.pad_left << "," << s_.pad_bottom << "," << s_.pad_right
      << " strides=" << s_.in_stride() << "," << s_.out_stride() << " include_pad=" << include_pad_
      << " zx=" << zx_ << " zy=" << zy_ << " sx=" << sx_ << " sy=" << sy_ << " qclamp=[" << qmin_ << "," << qmax_
      << "] seed=" << seed_;
    return o.str();
  }

  void test() const {
    if (type_ == PoolType::kQs8) run_q<int8_t>();
    else if (type_ == PoolType::kQu8) run_q<uint8_t>();
    else run_f();
  }

 private:
  // Valid taps of output (oy, ox): input pixel offsets in row-major tap order.
  std::vector<size_t> taps(size_t oy, size_t ox) const {
    std::vector<size_t> r;
    visit_taps(oy, ox, [&](size_t offset, size_t) { r.push_back(offset); });
    return r;
  }

  template <typename T>
  void run_q() const {
    const bool sgn = std::is_same<T, int8_t>::value;
    const int32_t lo = sgn ? -128 : 0, hi = sgn ? 127 : 255;
    const int32_t qmin = std::max(qmin_, lo), qmax = std::min(qmax_, hi);
    const size_t oh = s_.out_h(), ow = s_.out_w(), C = s_.channels, rows = s_.batch * oh;
    const size_t in_n = s_.batch * s_.in_h * s_.in_w * s_.in_stride(), out_n = rows * ow * s_.out_stride();
    wasmq::Rng rng(seed_);
    std::vector<T> x(in_n + 16);
    for (auto& v : x) v = static_cast<T>(lo + static_cast<int32_t>(rng.below(256)));
    const T sentinel = static_cast<T>(0x3C);
    std::vector<T> y_ref(out_n, sentinel), y_simd(out_n, sentinel);
    const auto& cfg = wasmq::pool_config();
    const size_t mid = rows / 2;
    const wasmq::QMaxPoolParams mp{qmin, qmax};
    const wasmq::QAvgPoolParams ap = wasmq::make_qavgpool_params(sx_, zx_, sy_, zy_, qmin, qmax, include_pad_);
    if (kind_ == PoolKind::kMax) {
      if constexpr (std::is_same<T, int8_t>::value) {
        wasmq::qs8_maxpool_minmax__scalar(s_, x.data(), y_ref.data(), mp, 0, rows);
        cfg.qs8_max(s_, x.data(), y_simd.data(), mp, 0, mid);
        cfg.qs8_max(s_, x.data(), y_simd.data(), mp, mid, rows);
      } else {
        wasmq::qu8_maxpool_minmax__scalar(s_, x.data(), y_ref.data(), mp, 0, rows);
        cfg.qu8_max(s_, x.data(), y_simd.data(), mp, 0, mid);
        cfg.qu8_max(s_, x.data(), y_simd.data(), mp, mid, rows);
      }
    } else {
      if constexpr (std::is_same<T, int8_t>::value) {
        wasmq::qs8_avgpool_minmax_fp32__scalar(s_, x.data(), y_ref.data(), ap, 0, rows);
        cfg.qs8_avg(s_, x.data(), y_simd.data(), ap, 0, mid);
        cfg.qs8_avg(s_, x.data(), y_simd.data(), ap, mid, rows);
      } else {
        wasmq::qu8_avgpool_minmax_fp32__scalar(s_, x.data(), y_ref.data(), ap, 0, rows);
        cfg.qu8_avg(s_, x.data(), y_simd.data(), ap, 0, mid);
        cfg.qu8_avg(s_, x.data(), y_simd.data(), ap, mid, rows);
      }
    }
    for (size_t row = 0; row < rows; ++row) {
      const T* img = x.data() + (row / oh) * s_.in_h * s_.in_w * s_.in_stride();
      for (size_t ox = 0; ox < ow; ++ox) {
        const std::vector<size_t> t = taps(row % oh, ox);
        for (size_t c = 0; c < s_.out_stride(); ++c) {
          const size_t i = (row * ow + ox) * s_.out_stride() + c;
          INFO(describe() << " at row " << row << " ox " << ox << " c " << c << ": simd " << int(y_simd[i])
                          << " scalar " << int(y_ref[i]));
          REQUIRE(static_cast<int32_t>(y_simd[i]) == static_cast<int32_t>(y_ref[i]));
          if (c >= C) {
            REQUIRE(y_ref[i] == sentinel);
            continue;
          }
          if (kind_ == PoolKind::kMax) {
            int32_t m = lo;
            for (size_t o : t) m = std::max<int32_t>(m, img[o + c]);
            REQUIRE(static_cast<int32_t>(y_ref[i]) == std::min(std::max(m, qmin), qmax));
          } else {
            int32_t acc = 0;
            for (size_t o : t) acc += static_cast<int32_t>(img[o + c]) - zx_;
            const size_t divisor = std::max<size_t>(1, include_pad_ ? s_.kernel_h * s_.kernel_w : t.size());  // documented: >= 1
            const int32_t expect = wasmq::requantize_fp32(acc, (sx_ / sy_) / static_cast<float>(divisor), zy_, qmin, qmax);
            REQUIRE(static_cast<int32_t>(y_ref[i]) == expect);
            double q = std::nearbyint(static_cast<double>(sx_) * acc / divisor / sy_) + zy_;
            q = std::min<double>(std::max<double>(q, qmin), qmax);
            REQUIRE(std::fabs(q - expect) <= 1.0);
          }
        }
      }
    }
  }

  void run_f() const {
    const size_t oh = s_.out_h(), ow = s_.out_w(), C = s_.channels, rows = s_.batch * oh;
    const size_t in_n = s_.batch * s_.in_h * s_.in_w * s_.in_stride(), out_n = rows * ow * s_.out_stride();
    std::vector<float> x = normal(in_n + 4, seed_);
    std::vector<float> y_ref(out_n, 555.0f), y_simd(out_n, 555.0f);
    const wasmq::F32PoolParams p{fmin_, fmax_, include_pad_};
    const auto& cfg = wasmq::pool_config();
    const size_t mid = rows / 2;
    if (kind_ == PoolKind::kMax) {
      wasmq::f32_maxpool_minmax__scalar(s_, x.data(), y_ref.data(), p, 0, rows);
      cfg.f32_max(s_, x.data(), y_simd.data(), p, 0, mid);
      cfg.f32_max(s_, x.data(), y_simd.data(), p, mid, rows);
    } else {
      wasmq::f32_avgpool_minmax__scalar(s_, x.data(), y_ref.data(), p, 0, rows);
      cfg.f32_avg(s_, x.data(), y_simd.data(), p, 0, mid);
      cfg.f32_avg(s_, x.data(), y_simd.data(), p, mid, rows);
    }
    for (size_t row = 0; row < rows; ++row) {
      const float* img = x.data() + (row / oh) * s_.in_h * s_.in_w * s_.in_stride();
      for (size_t ox = 0; ox < ow; ++ox) {
        const std::vector<size_t> t = taps(row % oh, ox);
        for (size_t c = 0; c < s_.out_stride(); ++c) {
          const size_t i = (row * ow + ox) * s_.out_stride() + c;
          INFO(describe() << " f32 at row " << row << " ox " << ox << " c " << c);
          REQUIRE(wasmq::float_bits(y_simd[i]) == wasmq::float_bits(y_ref[i]));
          if (c >= C) {
            REQUIRE(y_ref[i] == 555.0f);
            continue;
          }
          if (kind_ == PoolKind::kMax) {
            float m = -std::numeric_limits<float>::infinity();
            for (size_t o : t) m = std::max(m, img[o + c]);
            REQUIRE(wasmq::float_bits(y_ref[i]) == wasmq::float_bits(std::min(std::max(m, fmin_), fmax_)));
          } else {
            float acc = 0.0f;
            double dacc = 0.0, mag = 0.0;
            for (size_t o : t) {
              acc = acc + img[o + c];
              dacc += img[o + c];
              mag += std::fabs(img[o + c]);
            }
            const size_t divisor = std::max<size_t>(1, include_pad_ ? s_.kernel_h * s_.kernel_w : t.size());  // documented: >= 1
            const float e = acc * (1.0f / static_cast<float>(divisor));
            REQUIRE(wasmq::float_bits(y_ref[i]) == wasmq::float_bits(std::min(std::max(e, fmin_), fmax_)));
            const double d = std::min<double>(std::max<double>(dacc / divisor, fmin_), fmax_);
            REQUIRE(std::fabs(y_ref[i] - d) <= 1e-6 * (mag / divisor + 1e-3));
          }
        }
      }
    }
  }

  PoolKind kind_ = PoolKind::kMax;
  PoolType type_ = PoolType::kQs8;
  int32_t zx_ = 0, zy_ = 0, qmin_ = -1000, qmax_ = 1000;
  float sx_ = 0.1f, sy_ = 0.1f;
  float fmin_ = -INFINITY, fmax_ = INFINITY;
  bool include_pad_ = false;
  uint64_t seed_ = 1;
};

}  // namespace wasmq_test

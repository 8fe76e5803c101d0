// Tests of the int16-activation depthwise convolutions (qs8_qs16, qs16_qs8, qs16): SIMD == scalar == a
// plain int64 loop over the unpacked weights + requantize_fp32, bit for bit; no writes outside the outputs.
#include <catch.hpp>

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstring>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "dwconv_shape_builder.h"
#include "common/error.h"
#include "common/rng.h"
#include "kernels/dwconv/dwconv.h"
#include "kernels/requant/requant.h"
#include "test_util.h"

namespace {

enum class Kind { qs8_qs16, qs16_qs8, qs16 };

const char* kind_name(Kind k) {
  return k == Kind::qs8_qs16 ? "qs8_qs16" : k == Kind::qs16_qs8 ? "qs16_qs8" : "qs16";
}

class Dwconv16Tester : public wasmq_test::DwconvShapeBuilder<Dwconv16Tester> {
 public:
  Dwconv16Tester& kind(Kind v) { kind_ = v; return *this; }
  Dwconv16Tester& input_zero_point(int32_t v) { zx_ = v; return *this; }  // int8 input only
  Dwconv16Tester& output_zero_point(int32_t v) { zy_ = v; return *this; }
  Dwconv16Tester& clamp(int32_t lo, int32_t hi) { qmin_ = lo; qmax_ = hi; clamp_set_ = true; return *this; }
  Dwconv16Tester& extremes(bool v) { extremes_ = v; return *this; }    // inputs and weights at the type limits
  Dwconv16Tester& big_bias(bool v) { big_bias_ = v; return *this; }    // |bias| up to 2^30
  Dwconv16Tester& saturate(bool v) { saturate_ = v; return *this; }    // scales 64x: most outputs clamp
  Dwconv16Tester& wrap(bool v) { wrap_ = v; return *this; }            // sums overflow int32 (wrap)
  Dwconv16Tester& seed(uint64_t v) { seed_ = v; return *this; }

  const wasmq::DwconvShape& shape() const { return s_; }

  std::string describe() const {
    std::ostringstream o;
    o << kind_name(kind_) << " N=" << s_.batch << " HxW=" << s_.in_h << "x" << s_.in_w << " C=" << s_.channels
      << " k=" << s_.kernel_h << "x" << s_.kernel_w << " s=" << s_.stride_h << "x" << s_.stride_w
      << " d=" << s_.dilation_h << "x" << s_.dilation_w << " pad(t,l,b,r)=" << s_.pad_top << "," << s_.pad_left
      << "," << s_.pad_bottom << "," << s_.pad_right << " strides(in,out)=" << s_.in_stride() << ","
      << s_.out_stride() << " zx=" << zx_ << " zy=" << zy_ << " clamp=" << (clamp_set_ ? "[" : "full[") << qmin_
      << "," << qmax_ << "]" << (extremes_ ? " extremes" : "") << (big_bias_ ? " big_bias" : "")
      << (saturate_ ? " saturate" : "") << (wrap_ ? " wrap" : "") << " seed=" << seed_;
    return o.str();
  }

  void test() const {
    switch (kind_) {
      case Kind::qs8_qs16:
        run<int8_t, int16_t>(wasmq::qs8_qs16_dwconv_minmax_fp32__scalar, wasmq::dwconv16_config().qs8_qs16);
        break;
      case Kind::qs16_qs8:
        run<int16_t, int8_t>(wasmq::qs16_qs8_dwconv_minmax_fp32__scalar, wasmq::dwconv16_config().qs16_qs8);
        break;
      case Kind::qs16:
        run<int16_t, int16_t>(wasmq::qs16_dwconv_minmax_fp32__scalar, wasmq::dwconv16_config().qs16);
        break;
    }
  }

 private:

  template <typename TIn, typename TOut, typename Fn>
  void run(Fn scalar, Fn simd) const {
    constexpr bool in16 = std::is_same<TIn, int16_t>::value, out16 = std::is_same<TOut, int16_t>::value;
    const int32_t tlo = out16 ? -32768 : -128, thi = out16 ? 32767 : 127;
    const int32_t qmin = clamp_set_ ? qmin_ : tlo, qmax = clamp_set_ ? qmax_ : thi;
    const int32_t zx = in16 ? 0 : zx_;
    const size_t C = s_.channels, taps = s_.kernel_h * s_.kernel_w;
    const size_t oh = s_.out_h(), ow = s_.out_w(), os = s_.out_stride();
    const size_t in_n = s_.batch * s_.in_h * s_.in_w * s_.in_stride(), out_n = s_.batch * oh * ow * os;
    wasmq::Rng rng(seed_);
    // Exactly the documented over-read past the last pixel's channels: 15 elements (30 bytes for int16).
    std::vector<TIn> x(in_n + 15);
    for (size_t i = 0; i < x.size(); ++i) {
      const int32_t r = static_cast<int32_t>(rng.below(in16 ? 65536 : 256)) + (in16 ? -32768 : -128);
      const int32_t lo = in16 ? -32768 : -128, hi = in16 ? 32767 : 127;
      int32_t v = r;
      if (extremes_) v = (rng.below(2) ? lo : hi);
      else if (i % 13 == 0) v = lo;  // the type limits appear in every test
      else if (i % 13 == 1) v = hi;
      x[i] = static_cast<TIn>(v);
    }
    std::vector<int8_t> w(taps * C);
    for (size_t i = 0; i < w.size(); ++i) {
      int32_t v = static_cast<int32_t>(rng.below(255)) - 127;  // -127..127
      if (extremes_) v = rng.below(2) ? -128 : 127;
      else if (i % 17 == 3) v = -128;
      w[i] = static_cast<int8_t>(v);
    }
    // Ordinary biases about the size of one tap's product; big ones up to 2^30.
    const uint64_t bias_range = in16 ? (1u << 22) : (1u << 13);
    std::vector<int32_t> bias(C);
    for (auto& v : bias) {
      if (wrap_) v = static_cast<int32_t>(rng.below(2) ? INT32_MAX - static_cast<int32_t>(rng.below(1000)) : INT32_MIN + static_cast<int32_t>(rng.below(1000)));
      else if (big_bias_) v = static_cast<int32_t>(static_cast<int64_t>(rng.below((uint64_t{1} << 31) + 1)) - (int64_t{1} << 30));
      else v = static_cast<int32_t>(rng.below(2 * bias_range + 1)) - static_cast<int32_t>(bias_range);
    }
    // Scales: spread the accumulators over the output range (not only the clamp), or saturate.
    size_t valid = 0;
    for (size_t oy = 0; oy < oh; ++oy)
      for (size_t ox = 0; ox < ow; ++ox) visit_taps(oy, ox, [&](size_t, size_t) { ++valid; });
    const double mean_taps = std::max(1.0, static_cast<double>(valid) / static_cast<double>(oh * ow));
    const double xstd = in16 ? 18918.0 : 74.0, wstd = 73.0, target = out16 ? 8000.0 : 40.0;
    std::vector<float> scale(C);
    for (auto& v : scale) {
      v = static_cast<float>(target / (std::sqrt(mean_taps) * xstd * wstd) * (0.5 + rng.uniform()) *
                             (saturate_ ? 64.0 : 1.0));
    }
    const std::vector<uint8_t> packed = wasmq::qs8_dwconv_pack(s_, w.data(), bias.data(), scale.data());
    const int64_t max_abs_x = in16 ? 32768 : std::max<int64_t>(zx + 128, 127 - zx);
    if (wrap_) REQUIRE_FALSE(wasmq::dwconv_sums_fit_int32(s_, w.data(), bias.data(), max_abs_x));
    else REQUIRE(wasmq::dwconv_sums_fit_int32(s_, w.data(), bias.data(), max_abs_x));

    const wasmq::QDwconvParams p{zx, zy_, qmin, qmax};
    const TOut sentinel = static_cast<TOut>(out16 ? 0x5A5A : 0x5A);
    const size_t rows = s_.batch * oh;
    std::vector<TOut> y_ref(out_n, sentinel), y_simd(out_n, sentinel);
    scalar(s_, x.data(), packed.data(), y_ref.data(), p, 0, rows);
    // SIMD in three row ranges (one possibly empty).
    const size_t a = rows / 3, b = rows - rows / 4;
    simd(s_, x.data(), packed.data(), y_simd.data(), p, 0, a);
    simd(s_, x.data(), packed.data(), y_simd.data(), p, a, b);
    simd(s_, x.data(), packed.data(), y_simd.data(), p, b, rows);

    size_t in_range = 0, wrapped = 0, checked = 0;
    std::string first_error;
    auto fail = [&](const std::string& what, size_t row, size_t ox, size_t c, int32_t got, int64_t want) {
      if (!first_error.empty()) return;
      std::ostringstream o;
      o << describe() << ": " << what << " at row " << row << " ox " << ox << " c " << c << ": got " << got
        << " want " << want;
      first_error = o.str();
    };
    for (size_t row = 0; row < rows && first_error.empty(); ++row) {
      const size_t img = (row / oh) * s_.in_h * s_.in_w * s_.in_stride();
      for (size_t ox = 0; ox < ow; ++ox) {
        for (size_t c = 0; c < os; ++c) {
          const size_t i = (row * ow + ox) * os + c;
          if (y_simd[i] != y_ref[i]) fail("simd != scalar", row, ox, c, y_simd[i], y_ref[i]);
          if (c >= C) {
            if (y_ref[i] != sentinel) fail("scalar wrote a pixel gap", row, ox, c, y_ref[i], sentinel);
            continue;
          }
          int64_t acc = bias[c];
          visit_taps(row % oh, ox, [&](size_t off, size_t t) {
            acc += (static_cast<int64_t>(x[img + off + c]) - zx) * w[t * C + c];
          });
          if (acc < INT32_MIN || acc > INT32_MAX) ++wrapped;
          const int32_t acc32 = static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(acc)));
          const int32_t expect = wasmq::requantize_fp32(acc32, scale[c], zy_, qmin, qmax);
          if (y_ref[i] != expect) fail("scalar != plain loop", row, ox, c, y_ref[i], expect);
          if (expect > qmin && expect < qmax) ++in_range;
          ++checked;
        }
      }
    }
    INFO(first_error);
    REQUIRE(first_error.empty());
    REQUIRE(checked == rows * ow * C);
    if (wrap_) REQUIRE(wrapped > 0);
    else REQUIRE(wrapped == 0);
    // Rounding exercised, not only saturation (outputs spread over a wide clamp).
    INFO(describe() << ": " << in_range << " of " << checked << " outputs inside the clamp");
    if (!clamp_set_ && !saturate_ && !big_bias_ && !wrap_ && !extremes_ && checked >= 64)
      REQUIRE(in_range * 4 >= checked);
    if (saturate_ && checked >= 64) REQUIRE(in_range * 2 <= checked);

    // A row sub-range alone: rows outside it stay untouched, rows inside equal the full run.
    if (rows >= 2) {
      const size_t r0 = rows / 4 + (rows > 2), r1 = std::max(r0 + 1, rows - rows / 3);
      std::vector<TOut> ys(out_n, sentinel), yv(out_n, sentinel);
      scalar(s_, x.data(), packed.data(), ys.data(), p, r0, r1);
      simd(s_, x.data(), packed.data(), yv.data(), p, r0, r1);
      const size_t lo = r0 * ow * os, hi = r1 * ow * os;
      bool ok = true;
      for (size_t i = 0; i < out_n && ok; ++i) {
        const TOut want = (i >= lo && i < hi) ? y_ref[i] : sentinel;
        ok = ys[i] == want && yv[i] == want;
      }
      INFO(describe() << ": rows [" << r0 << ", " << r1 << ") alone");
      REQUIRE(ok);
    }
  }

  Kind kind_ = Kind::qs16;
  int32_t zx_ = 0, zy_ = 0, qmin_ = 0, qmax_ = 0;
  bool clamp_set_ = false, extremes_ = false, big_bias_ = false, saturate_ = false, wrap_ = false;
  uint64_t seed_ = 1;
};

const Kind kKinds[] = {Kind::qs8_qs16, Kind::qs16_qs8, Kind::qs16};

int32_t out_zp(Kind k, uint64_t i) {  // an output zero point in the output type, off its limits
  if (k == Kind::qs16_qs8) return static_cast<int32_t>(i % 7) - 3;
  return static_cast<int32_t>(i % 5) * 97 - 200;
}

}  // namespace

TEST_CASE("dwconv16: kernel table", "[kernels][dwconv16]") {
  const wasmq::Dwconv16Config& cfg = wasmq::dwconv16_config();
#if defined(WASMQ_HAVE_WASMSIMD)
  REQUIRE(cfg.qs8_qs16 == &wasmq::qs8_qs16_dwconv_minmax_fp32__wasmsimd_c16);
  REQUIRE(cfg.qs16_qs8 == &wasmq::qs16_qs8_dwconv_minmax_fp32__wasmsimd_c16);
  REQUIRE(cfg.qs16 == &wasmq::qs16_dwconv_minmax_fp32__wasmsimd_c16);
#else
  REQUIRE(cfg.qs8_qs16 == &wasmq::qs8_qs16_dwconv_minmax_fp32__scalar);
  REQUIRE(cfg.qs16_qs8 == &wasmq::qs16_qs8_dwconv_minmax_fp32__scalar);
  REQUIRE(cfg.qs16 == &wasmq::qs16_dwconv_minmax_fp32__scalar);
#endif
}

TEST_CASE("dwconv16: channels 1..40, 72, 96, 200, 3x3 with padding", "[kernels][dwconv16]") {
  const uint64_t seed = wasmq_test::test_seed(401);
  WASMQ_SEED_INFO(seed);
  std::vector<size_t> chans;
  for (size_t c = 1; c <= 40; ++c) chans.push_back(c);
  for (size_t c : {72, 96, 200}) chans.push_back(c);
  uint64_t k = 0;
  for (Kind kind : kKinds) {
    for (size_t c : chans) {
      ++k;
      Dwconv16Tester().kind(kind).input(5, 6).channels(c).kernel(3, 3).padding(1, 1, 1, 1)
          .input_zero_point(-3).output_zero_point(out_zp(kind, k)).seed(seed + k).test();
    }
  }
}

TEST_CASE("dwconv16: kernels 1x1/3x1/3x3/5x5, strides, dilations, asymmetric pads, sizes 1..9", "[kernels][dwconv16]") {
  const uint64_t seed = wasmq_test::test_seed(402);
  WASMQ_SEED_INFO(seed);
  const size_t kernels[][2] = {{1, 1}, {3, 1}, {3, 3}, {5, 5}};
  const size_t chans[] = {1, 5, 8, 9, 16, 17, 24, 33, 40};
  uint64_t k = 0;
  size_t ran = 0;
  for (Kind kind : kKinds) {
    for (const auto& kk : kernels) {
      for (size_t sh = 1; sh <= 2; ++sh) {
        for (size_t sw = 1; sw <= 2; ++sw) {
          for (size_t d = 1; d <= 2; ++d) {
            for (int v = 0; v < 3; ++v) {
              ++k;
              const size_t h = 1 + (k * 7) % 9, wd = 1 + (k * 5 + static_cast<size_t>(v)) % 9;
              const size_t c = chans[k % 9];
              Dwconv16Tester t;
              t.kind(kind).batch(k % 3 == 0 ? 2 : 1).input(h, wd).channels(c).kernel(kk[0], kk[1])
                  .stride(sh, sw).dilation(d, v == 1 ? 3 - d : d)
                  .padding(k % 3, (k / 3) % 3, (k / 2) % 3, (k + static_cast<uint64_t>(v)) % 3)
                  .input_zero_point(static_cast<int32_t>(k % 11) * 23 - 115).output_zero_point(out_zp(kind, k))
                  .seed(seed + k);
              if (k % 4 == 0) t.pixel_strides(c + 3, c + 5);
              if (t.shape().out_h() == 0 || t.shape().out_w() == 0) continue;
              t.test();
              ++ran;
            }
          }
        }
      }
    }
  }
  REQUIRE(ran > 200);
}

TEST_CASE("dwconv16: 24x96 image, batch 2, strides 1 and 2", "[kernels][dwconv16]") {
  const uint64_t seed = wasmq_test::test_seed(403);
  WASMQ_SEED_INFO(seed);
  uint64_t k = 0;
  for (Kind kind : kKinds) {
    for (size_t c : {8, 24, 72}) {
      for (size_t st = 1; st <= 2; ++st) {
        for (size_t kk : {3, 5}) {
          ++k;
          Dwconv16Tester t;
          t.kind(kind).batch(k % 2 ? 2 : 1).input(24, 96).channels(c).kernel(kk, kk).stride(st, st)
              .padding(kk / 2, kk / 2, kk / 2, kk / 2).input_zero_point(5).output_zero_point(out_zp(kind, k))
              .seed(seed + k);
          if (k % 3 == 0) t.pixel_strides(c + 7, c + 1);
          t.test();
        }
      }
    }
  }
}

TEST_CASE("dwconv16: type limits, big biases, saturating scales, full and ReLU clamps", "[kernels][dwconv16]") {
  const uint64_t seed = wasmq_test::test_seed(404);
  WASMQ_SEED_INFO(seed);
  uint64_t k = 0;
  for (Kind kind : kKinds) {
    const bool out16 = kind != Kind::qs16_qs8;
    const int32_t tlo = out16 ? -32768 : -128, thi = out16 ? 32767 : 127;
    for (int mode = 0; mode < 4; ++mode) {
      for (size_t c : {7, 16, 24, 40}) {
        ++k;
        const int32_t zy = mode == 3 ? tlo : out_zp(kind, k);
        auto make = [&] {
          Dwconv16Tester t;
          t.kind(kind).batch(2).input(6, 9).channels(c).kernel(5, 5).stride(1, k % 2 + 1).padding(2, 1, 2, 2)
              .input_zero_point(mode == 0 ? -128 : 127).output_zero_point(zy).seed(seed + k);
          if (mode == 0) t.extremes(true);
          if (mode == 1) t.big_bias(true);
          if (mode == 2) t.saturate(true);
          return t;
        };
        make().test();                                              // full range
        make().clamp(zy, thi).test();                               // fused ReLU
        make().clamp(std::max(tlo, zy - 50), std::min(thi, zy + 60)).test();  // ReLU6-like narrow band
        make().clamp(zy, zy).test();                                // a single code
        if (mode == 0) make().saturate(true).test();                // limits and saturation together
      }
    }
  }
}

TEST_CASE("dwconv16: qs8_qs16 input zero points, output zero points", "[kernels][dwconv16]") {
  const uint64_t seed = wasmq_test::test_seed(405);
  WASMQ_SEED_INFO(seed);
  const int32_t zxs[] = {-128, -1, 0, 1, 127};
  const int32_t zys[] = {-32768, -1000, 0, 1, 32767};
  uint64_t k = 0;
  for (int32_t zx : zxs) {
    for (int32_t zy : zys) {
      ++k;
      Dwconv16Tester t;
      t.kind(Kind::qs8_qs16).input(4, 11).channels(21).kernel(3, 3).stride(1, 2).padding(1, 1, 1, 1)
          .input_zero_point(zx).output_zero_point(zy).seed(seed + k);
      t.test();
      t.pixel_strides(23, 29).clamp(std::max(-32768, zy - 3000), std::min(32767, zy + 3000)).test();
    }
  }
  // Also the int16-output zero points on the other two kinds.
  for (int32_t zy : zys) {
    ++k;
    Dwconv16Tester().kind(Kind::qs16).input(4, 11).channels(19).kernel(3, 3).padding(1, 0, 1, 2).output_zero_point(zy).seed(seed + k).test();
  }
  for (int32_t zy : {-128, -1, 0, 1, 127}) {
    ++k;
    Dwconv16Tester().kind(Kind::qs16_qs8).input(4, 11).channels(19).kernel(3, 3).padding(1, 0, 1, 2).output_zero_point(zy).seed(seed + k).test();
  }
}

TEST_CASE("dwconv16: int32 wrap-around equals between SIMD and scalar", "[kernels][dwconv16]") {
  const uint64_t seed = wasmq_test::test_seed(406);
  WASMQ_SEED_INFO(seed);
  uint64_t k = 0;
  for (Kind kind : kKinds) {
    for (size_t c : {5, 16, 24}) {
      ++k;
      Dwconv16Tester().kind(kind).input(5, 8).channels(c).kernel(3, 3).padding(1, 1, 1, 1).extremes(true)
          .wrap(true).input_zero_point(-128).seed(seed + k).test();
    }
  }
}

TEST_CASE("dwconv16: dwconv_sums_fit_int32", "[kernels][dwconv16]") {
  wasmq::DwconvShape s;
  s.in_h = s.in_w = 8;
  s.channels = 3;
  s.kernel_h = s.kernel_w = 5;
  // Realistic: int16 activations, full-range weights, 5x5, int32 biases of a trained layer.
  std::vector<int8_t> w(25 * 3);
  for (size_t i = 0; i < w.size(); ++i) w[i] = static_cast<int8_t>(static_cast<int32_t>(i * 37 % 255) - 127);
  std::vector<int32_t> bias = {123456, -7654321, 0};
  REQUIRE(wasmq::dwconv_sums_fit_int32(s, w.data(), bias.data(), 32768));
  REQUIRE(wasmq::dwconv_sums_fit_int32(s, w.data(), nullptr, 32768));
  // Boundary: channel 1 all -128 -> sum |w| = 3200; 32768 * 3200 = 104857600; bias up to 2^31 - 1 - that.
  for (size_t t = 0; t < 25; ++t) w[t * 3 + 1] = -128;
  const int64_t prod = int64_t{32768} * 3200;
  bias[1] = static_cast<int32_t>((int64_t{1} << 31) - 1 - prod);
  REQUIRE(wasmq::dwconv_sums_fit_int32(s, w.data(), bias.data(), 32768));
  bias[1] += 1;  // == 2^31: no longer fits
  REQUIRE_FALSE(wasmq::dwconv_sums_fit_int32(s, w.data(), bias.data(), 32768));
  bias[1] = -static_cast<int32_t>((int64_t{1} << 31) - 1 - prod);  // |bias| counts
  REQUIRE(wasmq::dwconv_sums_fit_int32(s, w.data(), bias.data(), 32768));
  bias[1] -= 1;
  REQUIRE_FALSE(wasmq::dwconv_sums_fit_int32(s, w.data(), bias.data(), 32768));
  bias[1] = INT32_MIN;
  REQUIRE_FALSE(wasmq::dwconv_sums_fit_int32(s, w.data(), bias.data(), 0));
  bias[1] = INT32_MAX;
  REQUIRE(wasmq::dwconv_sums_fit_int32(s, w.data(), bias.data(), 0));
  REQUIRE_FALSE(wasmq::dwconv_sums_fit_int32(s, w.data(), bias.data(), 1));
  // Boundary on max_abs_x with zero bias: 3200 * x < 2^31 <=> x <= 671088.
  bias[1] = 0;
  REQUIRE(wasmq::dwconv_sums_fit_int32(s, w.data(), bias.data(), 671088));
  REQUIRE_FALSE(wasmq::dwconv_sums_fit_int32(s, w.data(), bias.data(), 671089));
  REQUIRE_FALSE(wasmq::dwconv_sums_fit_int32(s, w.data(), bias.data(), INT64_MAX));
  // All-zero weights: only the bias counts.
  std::fill(w.begin(), w.end(), 0);
  REQUIRE(wasmq::dwconv_sums_fit_int32(s, w.data(), bias.data(), INT64_MAX));
}

TEST_CASE("dwconv16: parameter errors", "[kernels][dwconv16]") {
  wasmq::DwconvShape s;
  s.in_h = 3; s.in_w = 3; s.channels = 5; s.kernel_h = 3; s.kernel_w = 3;
  s.pad_top = s.pad_left = s.pad_bottom = s.pad_right = 1;
  std::vector<int8_t> w(9 * 5, 1), x8(9 * 5 + 15, 0), y8(9 * 5);
  std::vector<int16_t> x16(9 * 5 + 15, 0), y16(9 * 5);
  std::vector<int32_t> bias(5, 0);
  std::vector<float> rs(5, 0.1f);
  const std::vector<uint8_t> pk = wasmq::qs8_dwconv_pack(s, w.data(), bias.data(), rs.data());
  const auto& cfg = wasmq::dwconv16_config();
  // int16 input needs zero point 0 (scalar and SIMD).
  for (int32_t zx : {1, -1, 128, -32768}) {
    const wasmq::QDwconvParams p{zx, 0, -128, 127};
    const wasmq::QDwconvParams p16{zx, 0, -32768, 32767};
    REQUIRE_THROWS_AS(wasmq::qs16_qs8_dwconv_minmax_fp32__scalar(s, x16.data(), pk.data(), y8.data(), p, 0, 3), wasmq::Error);
    REQUIRE_THROWS_AS(cfg.qs16_qs8(s, x16.data(), pk.data(), y8.data(), p, 0, 3), wasmq::Error);
    REQUIRE_THROWS_AS(wasmq::qs16_dwconv_minmax_fp32__scalar(s, x16.data(), pk.data(), y16.data(), p16, 0, 3), wasmq::Error);
    REQUIRE_THROWS_AS(cfg.qs16(s, x16.data(), pk.data(), y16.data(), p16, 0, 3), wasmq::Error);
  }
  REQUIRE_THROWS_WITH(cfg.qs16(s, x16.data(), pk.data(), y16.data(), wasmq::QDwconvParams{3, 0, -32768, 32767}, 0, 3),
                      Catch::Contains("zero point 0"));
  // Output zero point / clamp outside the output type; int8 input zero point outside int8.
  for (const auto& p : {wasmq::QDwconvParams{0, 40000, -32768, 32767}, wasmq::QDwconvParams{0, 0, -32769, 32767},
                        wasmq::QDwconvParams{0, 0, -32768, 32768}, wasmq::QDwconvParams{0, 0, 10, 5},
                        wasmq::QDwconvParams{200, 0, -32768, 32767}}) {
    REQUIRE_THROWS_AS(wasmq::qs8_qs16_dwconv_minmax_fp32__scalar(s, x8.data(), pk.data(), y16.data(), p, 0, 3), wasmq::Error);
    REQUIRE_THROWS_AS(cfg.qs8_qs16(s, x8.data(), pk.data(), y16.data(), p, 0, 3), wasmq::Error);
  }
  for (const auto& p : {wasmq::QDwconvParams{0, 0, -32768, 32767}, wasmq::QDwconvParams{0, 200, -128, 127}}) {
    REQUIRE_THROWS_AS(wasmq::qs16_qs8_dwconv_minmax_fp32__scalar(s, x16.data(), pk.data(), y8.data(), p, 0, 3), wasmq::Error);
    REQUIRE_THROWS_AS(cfg.qs16_qs8(s, x16.data(), pk.data(), y8.data(), p, 0, 3), wasmq::Error);
  }
  // Row range past batch * out_h.
  REQUIRE_THROWS_AS(cfg.qs16(s, x16.data(), pk.data(), y16.data(), wasmq::QDwconvParams{0, 0, -32768, 32767}, 0, 4), wasmq::Error);
  // Valid calls.
  REQUIRE_NOTHROW(cfg.qs16(s, x16.data(), pk.data(), y16.data(), wasmq::QDwconvParams{0, 0, -32768, 32767}, 0, 3));
  REQUIRE_NOTHROW(cfg.qs16_qs8(s, x16.data(), pk.data(), y8.data(), wasmq::QDwconvParams{0, -5, -5, 127}, 0, 3));
  REQUIRE_NOTHROW(cfg.qs8_qs16(s, x8.data(), pk.data(), y16.data(), wasmq::QDwconvParams{-128, 0, 0, 32767}, 0, 3));
}

// Tests of the float activations: SIMD == scalar reference bit for bit (tails, special values), and
// the scalar reference against double-precision std:: math within the documented error bounds.
#include <catch.hpp>

#include <cmath>
#include <cstdio>
#include <limits>

#include "common/bits.h"
#include "kernels/activations/activations.h"
#include "test_util.h"

using wasmq::UnaryOp;

namespace {

double ref(UnaryOp op, double x, const wasmq::F32UnaryParams& p) {
  switch (op) {
    case UnaryOp::kRelu: return std::max(x, 0.0);
    case UnaryOp::kClip: return std::min(std::max(x, static_cast<double>(p.min)), static_cast<double>(p.max));
    case UnaryOp::kSigmoid: return 1.0 / (1.0 + std::exp(-x));
    case UnaryOp::kTanh: return std::tanh(x);
    case UnaryOp::kGeluErf: return 0.5 * x * std::erfc(-x / std::sqrt(2.0));
    case UnaryOp::kGeluTanh:  // 0.5 x (1 + tanh(u)) == x / (1 + exp(-2u)), without double cancellation
      return x / (1.0 + std::exp(-2.0 * std::sqrt(2.0 / M_PI) * (x + 0.044715 * x * x * x)));
    case UnaryOp::kHardSwish: return x * std::min(std::max(x + 3.0, 0.0), 6.0) / 6.0;
    case UnaryOp::kHardSigmoid: return std::min(std::max(x * p.alpha + p.beta, 0.0), 1.0);
    case UnaryOp::kLeakyRelu: return x < 0 ? x * p.alpha : x;
    case UnaryOp::kSilu: return x / (1.0 + std::exp(-x));
    case UnaryOp::kExp: return std::exp(x);
    default: return 0.0;
  }
}

// Error budget per op: |y - ref| <= ulps * ulp(ref) + abs_tol * max(1, |x|).
struct Budget {
  double ulps;
  double abs_tol;
};

Budget budget(UnaryOp op) {
  switch (op) {
    case UnaryOp::kRelu: case UnaryOp::kClip: case UnaryOp::kLeakyRelu: return {0.5, 0.0};
    case UnaryOp::kHardSwish: return {3.0, 0.0};  // 3 roundings (1/6 inexact)
    case UnaryOp::kHardSigmoid: return {2.0, 6.0e-8};  // x*alpha + beta cancels near 0: 1 ulp of beta
    case UnaryOp::kExp: return {2.0, 0.0};
    case UnaryOp::kSigmoid: return {3.0, 0.0};
    case UnaryOp::kTanh: return {4.0, 0.0};
    case UnaryOp::kSilu: return {4.0, 0.0};
    case UnaryOp::kGeluTanh: return {6.0, 0.0};
    case UnaryOp::kGeluErf: return {4.0, 2.0e-7};  // Abramowitz-Stegun 7.1.26: |erf error| <= 1.5e-7
    default: return {0.0, 0.0};
  }
}

double ulp_of(double v) {
  const double a = std::fabs(v);
  if (a < std::numeric_limits<float>::min()) return std::ldexp(1.0, -149);
  int e;
  std::frexp(a, &e);
  return std::ldexp(1.0, e - 24);
}

std::vector<float> inputs(uint64_t seed) {
  std::vector<float> x;
  for (int i = -4000; i <= 4000; ++i) x.push_back(static_cast<float>(i) * 0.005f);  // dense around 0
  for (int i = -1000; i <= 1000; ++i) x.push_back(static_cast<float>(i) * 0.1f);
  for (float v : wasmq_test::normal(4000, seed, 0.0f, 4.0f)) x.push_back(v);
  const float specials[] = {0.0f, -0.0f, 1e-30f, -1e-30f, 1e-6f, -1e-6f, 0.39999998f, 0.4f, -0.4f, 87.0f, 88.7f,
                            -87.3f, -88.0f, 3.0f, -3.0f, 6.0f};
  for (float v : specials) x.push_back(v);
  return x;
}

}  // namespace

TEST_CASE("f32 activations: SIMD == scalar bitwise (tails, specials, infinities, NaN)", "[kernels][activations]") {
  const uint64_t seed = wasmq_test::test_seed(501);
  WASMQ_SEED_INFO(seed);
  std::vector<float> x = inputs(seed);
  const float inf = std::numeric_limits<float>::infinity();
  for (float v : {inf, -inf, 200.0f, -200.0f, 1e-40f, -1e-40f}) x.push_back(v);
  x.push_back(std::numeric_limits<float>::quiet_NaN());
  wasmq::F32UnaryParams p;
  p.alpha = 0.2f;
  p.beta = 0.5f;
  p.min = -0.75f;
  p.max = 6.0f;
  for (int k = 0; k < static_cast<int>(UnaryOp::kCount); ++k) {
    const auto op = static_cast<UnaryOp>(k);
    const auto simd = wasmq::activation_config().fn[k];
    const auto scalar = wasmq::activation_config_scalar().fn[k];
    std::vector<float> ys(x.size()), yv(x.size() + 1, 42.0f);
    scalar(x.size(), x.data(), ys.data(), p);
    simd(x.size(), x.data(), yv.data(), p);
    REQUIRE(yv[x.size()] == 42.0f);
    for (size_t i = 0; i < x.size(); ++i) {
      INFO(wasmq::unary_op_name(op) << " x=" << x[i] << " simd=" << yv[i] << " scalar=" << ys[i]);
      if (std::isnan(ys[i])) {
        REQUIRE(std::isnan(yv[i]));
      } else {
        REQUIRE(wasmq::float_bits(yv[i]) == wasmq::float_bits(ys[i]));
      }
    }
    // Every length 0..40 (x16 loop, x4 loop, scalar tail), output in place.
    for (size_t n = 0; n <= 40; ++n) {
      std::vector<float> buf(x.begin() + 100, x.begin() + 100 + n);
      std::vector<float> r(n);
      scalar(n, buf.data(), r.data(), p);
      simd(n, buf.data(), buf.data(), p);
      for (size_t i = 0; i < n; ++i) {
        INFO(wasmq::unary_op_name(op) << " n=" << n << " i=" << i);
        REQUIRE(wasmq::float_bits(buf[i]) == wasmq::float_bits(r[i]));
      }
    }
  }
}

TEST_CASE("f32 activations: scalar reference vs double std:: math within the stated budget",
          "[kernels][activations]") {
  const uint64_t seed = wasmq_test::test_seed(502);
  WASMQ_SEED_INFO(seed);
  const std::vector<float> x = inputs(seed);
  wasmq::F32UnaryParams p;
  p.alpha = 0.2f;
  p.beta = 0.5f;
  p.min = 0.0f;
  p.max = 6.0f;
  for (int k = 0; k < static_cast<int>(UnaryOp::kCount); ++k) {
    const auto op = static_cast<UnaryOp>(k);
    std::vector<float> y(x.size());
    wasmq::activation_config_scalar().fn[k](x.size(), x.data(), y.data(), p);
    const Budget b = budget(op);
    double max_ulp = 0.0, max_abs = 0.0, max_scaled_abs = 0.0;
    for (size_t i = 0; i < x.size(); ++i) {
      const double r = ref(op, x[i], p);
      if (op == UnaryOp::kExp && (x[i] > 88.7f)) continue;  // overflow region checked below
      const double err = std::fabs(static_cast<double>(y[i]) - r);
      if (std::fabs(r) >= std::ldexp(1.0, -100)) max_ulp = std::max(max_ulp, err / ulp_of(r));
      max_abs = std::max(max_abs, err);
      INFO(wasmq::unary_op_name(op) << " x=" << x[i] << " y=" << y[i] << " ref=" << r << " err=" << err
                                    << " ulps=" << err / ulp_of(r));
      // Results built from subnormal intermediates (exp(-t) < 2^-126, e.g. sigmoid/gelu far left) lose
      // relative precision: an absolute floor of 2^-120 * max(1, |x|) (~7.5e-37).
      const double scale = std::max(1.0, std::fabs(static_cast<double>(x[i])));
      // gelu_tanh evaluates exp at the ROUNDED argument 2u (cubic in x): the float result carries the
      // conditioning |2u| * (argument rounding), so its ulp budget grows with |2u| (left tail only).
      double ulps = b.ulps;
      if (op == UnaryOp::kGeluTanh) {
        const double xd = x[i];
        ulps += 4.0 * std::fabs(2.0 * std::sqrt(2.0 / M_PI) * (xd + 0.044715 * xd * xd * xd));
      }
      REQUIRE(err <= ulps * ulp_of(r) + b.abs_tol * scale + std::ldexp(1.0, -120) * scale);
      max_scaled_abs = std::max(max_scaled_abs, err / scale);
    }
    std::printf("activation %-10s max error %.2f ulp (|y| >= 2^-100), %.3g abs, %.3g abs/max(1,|x|)\n",
                wasmq::unary_op_name(op), max_ulp, max_abs, max_scaled_abs);
  }
  // exp saturates correctly.
  float big[3] = {89.0f, 1000.0f, -1000.0f}, out[3];
  wasmq::f32_vexp__scalar(3, big, out, p);
  REQUIRE(std::isinf(out[0]));
  REQUIRE(std::isinf(out[1]));
  REQUIRE(out[2] == 0.0f);
}

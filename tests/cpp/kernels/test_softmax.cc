// Tests of softmax over the last axis: SIMD == scalar bitwise (every n 1..70, strides, row ranges,
// in place), scalar vs double, stability for large inputs.
#include <catch.hpp>

#include <cmath>
#include <cstdio>

#include "common/bits.h"
#include "common/error.h"
#include "kernels/softmax/softmax.h"
#include "test_util.h"

namespace {

void check_softmax(size_t rows, size_t n, size_t xs, size_t ys, float scale, float offset, uint64_t seed,
                   double* max_rel) {
  wasmq::SoftmaxShape s;
  s.rows = rows;
  s.n = n;
  s.x_stride = xs;
  s.y_stride = ys;
  const size_t xstr = xs ? xs : n, ystr = ys ? ys : n;
  std::vector<float> x = wasmq_test::normal(rows * xstr, seed, offset, scale);
  std::vector<float> y_ref(rows * ystr, -3.0f), y_simd(rows * ystr, -3.0f);
  wasmq::f32_softmax__scalar(s, x.data(), y_ref.data(), 0, rows);
  wasmq::f32_softmax_config()(s, x.data(), y_simd.data(), 0, rows / 2);
  wasmq::f32_softmax_config()(s, x.data(), y_simd.data(), rows / 2, rows);
  for (size_t r = 0; r < rows; ++r) {
    double mx = -INFINITY, sum = 0.0;
    for (size_t i = 0; i < n; ++i) mx = std::max(mx, static_cast<double>(x[r * xstr + i]));
    for (size_t i = 0; i < n; ++i) sum += std::exp(static_cast<double>(x[r * xstr + i]) - mx);
    double total = 0.0;
    for (size_t i = 0; i < ystr; ++i) {
      const size_t k = r * ystr + i;
      INFO("softmax rows=" << rows << " n=" << n << " strides=" << xs << "," << ys << " scale=" << scale
                           << " offset=" << offset << " row " << r << " i " << i << " simd " << y_simd[k]
                           << " scalar " << y_ref[k] << " seed " << seed);
      REQUIRE(wasmq::float_bits(y_simd[k]) == wasmq::float_bits(y_ref[k]));
      if (i >= n) {
        REQUIRE(y_ref[k] == -3.0f);
        continue;
      }
      const double e = std::exp(static_cast<double>(x[r * xstr + i]) - mx) / sum;
      const double err = std::fabs(y_ref[k] - e);
      if (e > 1e-30) *max_rel = std::max(*max_rel, err / e);
      // Relative budget: exp (~1 ulp), the division, and the sum's rounding growing with n / 16 terms
      // per partial sum: (8 + n/4) * 2^-24.
      REQUIRE(err <= (8.0 + n / 4.0) * std::ldexp(1.0, -24) * e + 1e-37);
      total += y_ref[k];
    }
    REQUIRE(std::fabs(total - 1.0) <= 1e-5);
  }
}

}  // namespace

TEST_CASE("f32 softmax: SIMD == scalar, vs double, every n 1..70", "[kernels][softmax]") {
  const uint64_t seed = wasmq_test::test_seed(601);
  WASMQ_SEED_INFO(seed);
  double max_rel = 0.0;
  for (size_t n = 1; n <= 70; ++n) check_softmax(3, n, 0, 0, 2.0f, 0.0f, seed + n, &max_rel);
  for (size_t n : {1, 17, 33}) check_softmax(4, n, n + 5, n + 3, 3.0f, 1.0f, seed + 100 + n, &max_rel);
  // Large logits: stability through max subtraction (no overflow to inf / NaN).
  check_softmax(2, 37, 0, 0, 30.0f, 500.0f, seed + 7, &max_rel);
  check_softmax(2, 1000, 0, 0, 10.0f, -200.0f, seed + 8, &max_rel);
  std::printf("softmax max relative error vs double: %.3g\n", max_rel);
}

TEST_CASE("f32 softmax: in place and errors", "[kernels][softmax]") {
  wasmq::SoftmaxShape s;
  s.rows = 2;
  s.n = 19;
  std::vector<float> x = wasmq_test::normal(38, 5), y(38);
  wasmq::f32_softmax__scalar(s, x.data(), y.data(), 0, 2);
  wasmq::f32_softmax_config()(s, x.data(), x.data(), 0, 2);
  for (size_t i = 0; i < 38; ++i) REQUIRE(wasmq::float_bits(x[i]) == wasmq::float_bits(y[i]));
  s.n = 0;
  REQUIRE_THROWS_AS(wasmq::f32_softmax__scalar(s, x.data(), y.data(), 0, 2), wasmq::Error);
  s.n = 19;
  REQUIRE_THROWS_AS(wasmq::f32_softmax__scalar(s, x.data(), y.data(), 0, 3), wasmq::Error);
}

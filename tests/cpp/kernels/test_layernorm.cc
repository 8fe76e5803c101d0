// Tests of layer normalization over the last axis: SIMD == scalar bitwise (n 1..70, strides, row
// ranges, with/without gamma and beta), scalar vs double.
#include <catch.hpp>

#include <cmath>
#include <cstdio>

#include "common/bits.h"
#include "common/error.h"
#include "kernels/layernorm/layernorm.h"
#include "test_util.h"

namespace {

void check_layernorm(size_t rows, size_t n, size_t xs, size_t ys, bool use_gamma, bool use_beta, float offset,
                     uint64_t seed, double* max_err) {
  wasmq::LayerNormShape s;
  s.rows = rows;
  s.n = n;
  s.x_stride = xs;
  s.y_stride = ys;
  s.epsilon = 1e-5f;
  const size_t xstr = xs ? xs : n, ystr = ys ? ys : n;
  std::vector<float> x = wasmq_test::normal(rows * xstr, seed, offset, 2.0f);
  std::vector<float> gamma = wasmq_test::normal(n, seed + 1, 1.0f, 0.3f), beta = wasmq_test::normal(n, seed + 2);
  const float* g = use_gamma ? gamma.data() : nullptr;
  const float* b = use_beta ? beta.data() : nullptr;
  std::vector<float> y_ref(rows * ystr, 8.0f), y_simd(rows * ystr, 8.0f);
  wasmq::f32_layernorm__scalar(s, x.data(), g, b, y_ref.data(), 0, rows);
  wasmq::f32_layernorm_config()(s, x.data(), g, b, y_simd.data(), 0, rows / 2);
  wasmq::f32_layernorm_config()(s, x.data(), g, b, y_simd.data(), rows / 2, rows);
  for (size_t r = 0; r < rows; ++r) {
    double mean = 0.0, var = 0.0;
    for (size_t i = 0; i < n; ++i) mean += x[r * xstr + i];
    mean /= n;
    for (size_t i = 0; i < n; ++i) var += (x[r * xstr + i] - mean) * (x[r * xstr + i] - mean);
    var /= n;
    const double rstd = 1.0 / std::sqrt(var + 1e-5);
    for (size_t i = 0; i < ystr; ++i) {
      const size_t k = r * ystr + i;
      INFO("layernorm rows=" << rows << " n=" << n << " strides=" << xs << "," << ys << " gamma=" << use_gamma
                             << " beta=" << use_beta << " offset=" << offset << " row " << r << " i " << i
                             << " simd " << y_simd[k] << " scalar " << y_ref[k] << " seed " << seed);
      REQUIRE(wasmq::float_bits(y_simd[k]) == wasmq::float_bits(y_ref[k]));
      if (i >= n) {
        REQUIRE(y_ref[k] == 8.0f);
        continue;
      }
      const double norm = (x[r * xstr + i] - mean) * rstd;
      const double e = norm * (use_gamma ? gamma[i] : 1.0) + (use_beta ? beta[i] : 0.0);
      // Budget: the mean's rounding is amplified by rstd * |offset|-sized inputs.
      const double budget = 2e-6 * (1.0 + std::fabs(norm)) * (1.0 + std::fabs(offset)) * (use_gamma ? std::fabs(gamma[i]) + 1.0 : 1.0);
      const double err = std::fabs(y_ref[k] - e);
      *max_err = std::max(*max_err, err / (1.0 + std::fabs(e)));
      REQUIRE(err <= budget);
    }
  }
}

}  // namespace

TEST_CASE("f32 layernorm: SIMD == scalar, vs double, every n 1..70", "[kernels][layernorm]") {
  const uint64_t seed = wasmq_test::test_seed(701);
  WASMQ_SEED_INFO(seed);
  double max_err = 0.0;
  for (size_t n = 1; n <= 70; ++n) {
    check_layernorm(3, n, 0, 0, true, true, 0.0f, seed + n, &max_err);
    check_layernorm(2, n, n + 3, n + 7, n % 2 == 0, n % 3 == 0, 0.5f, seed + 200 + n, &max_err);
  }
  check_layernorm(2, 768, 0, 0, true, true, 10.0f, seed + 9, &max_err);
  std::printf("layernorm max error vs double: %.3g * (1 + |y|)\n", max_err);
}

TEST_CASE("f32 layernorm: in place, constant rows, errors", "[kernels][layernorm]") {
  wasmq::LayerNormShape s;
  s.rows = 1;
  s.n = 21;
  std::vector<float> x(21, 3.25f), y(21);
  wasmq::f32_layernorm_config()(s, x.data(), nullptr, nullptr, y.data(), 0, 1);
  for (float v : y) REQUIRE(v == 0.0f);  // constant row: x - mean == 0 exactly
  std::vector<float> z = wasmq_test::normal(21, 3), w(21);
  wasmq::f32_layernorm__scalar(s, z.data(), nullptr, nullptr, w.data(), 0, 1);
  wasmq::f32_layernorm_config()(s, z.data(), nullptr, nullptr, z.data(), 0, 1);
  for (size_t i = 0; i < 21; ++i) REQUIRE(wasmq::float_bits(z[i]) == wasmq::float_bits(w[i]));
  s.epsilon = -1.0f;
  REQUIRE_THROWS_AS(wasmq::f32_layernorm__scalar(s, z.data(), nullptr, nullptr, w.data(), 0, 1), wasmq::Error);
}

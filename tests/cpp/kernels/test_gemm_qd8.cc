// Dynamically quantized linear (qd8): exact vs a hand-written ONNX DynamicQuantizeLinear + integer
// matmul, and close to the float matmul within the quantization error bound.
#include <catch.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

#include "gemm_tester.h"
#include "kernels/qs8-gemm/qd8-gemm.h"

namespace {

struct Qd8Problem {
  size_t m, n, k, as, cs;
  std::vector<float> a, w_scale, bias;
  std::vector<int8_t> w;
  std::vector<uint8_t> packed;
};

Qd8Problem make(size_t m, size_t n, size_t k, uint64_t seed, float shift) {
  Qd8Problem p{m, n, k, wasmq_test::next_prime(k + 1), wasmq_test::next_prime(n + 1), {}, {}, {}, {}, {}};
  p.a = wasmq_test::normal(m * p.as, seed, shift, 1.0f);
  if (m > 1) std::fill(p.a.begin() + p.as, p.a.begin() + p.as + k, 0.0f);  // row 1: all zeros
  p.w = wasmq_test::random_int8(n * k, seed + 1, -127, 127);
  p.w_scale = wasmq_test::uniform(n, seed + 2, 0.001f, 0.02f);
  p.bias = wasmq_test::normal(n, seed + 3);
  const wasmq::QGemmConfig& cfg = wasmq::qgemm_config();
  p.packed.resize(wasmq::qs8_packw_size(n, k, cfg.w_bytes));
  cfg.packw(n, k, p.w.data(), k, 1, nullptr, p.packed.data());
  return p;
}

// ONNX DynamicQuantizeLinear on x[0..k) written out independently of the library; the range is
// that of `range` (rows x k, stride) when given (per-tensor mode), else of x itself.
void onnx_dql(const float* x, size_t k, std::vector<int32_t>* q, float* scale, int32_t* zp,
              const float* range = nullptr, size_t rows = 0, size_t stride = 0) {
  float lo = 0.0f, hi = 0.0f;
  for (size_t i = 0; i < k; ++i) lo = std::min(lo, x[i]), hi = std::max(hi, x[i]);
  for (size_t r = 0; r < rows; ++r) {
    for (size_t i = 0; i < k; ++i) lo = std::min(lo, range[r * stride + i]), hi = std::max(hi, range[r * stride + i]);
  }
  *scale = (hi - lo) / 255.0f;
  if (*scale == 0.0f) *scale = 1.0f;  // documented choice for an all-zero range
  *zp = static_cast<int32_t>(std::min(255.0f, std::max(0.0f, std::nearbyint(0.0f - lo / *scale))));
  q->resize(k);
  for (size_t i = 0; i < k; ++i) {
    const float v = std::nearbyint(x[i] / *scale) + static_cast<float>(*zp);
    (*q)[i] = static_cast<int32_t>(std::min(255.0f, std::max(0.0f, v)));
  }
}

}  // namespace

TEST_CASE("qd8 f32 gemm equals ONNX DynamicQuantizeLinear (per row / per tensor) + integer matmul", "[kernels][gemm]") {
  WASMQ_SEED_INFO(wasmq_test::test_seed());
  for (bool per_row : {true, false})
  for (size_t m : {1, 2, 3, 5, 8}) {
    for (size_t n : {1, 4, 7, 16}) {
      for (size_t k : {1, 7, 8, 33, 100}) {
        for (float shift : {0.0f, 2.0f, -3.0f}) {
          const uint64_t seed = wasmq_test::test_seed(m * 1000 + n * 10 + k);
          Qd8Problem p = make(m, n, k, seed, shift);
          std::vector<uint8_t> scratch(wasmq::qd8_scratch_size(m, k));
          std::vector<float> got(m * p.cs, wasmq_test::sentinel<float>()), want = got;
          wasmq::Qd8GemmArgs args;
          args.packed_w = p.packed.data();
          args.w_scale = p.w_scale.data();
          args.bias = p.bias.data();
          args.fmin = -4.0f;
          args.fmax = 4.0f;
          args.per_row = per_row;
          wasmq::qd8_f32_gemm(m, 0, n, k, p.a.data(), p.as, args, got.data(), p.cs, scratch.data());
          for (size_t r = 0; r < m; ++r) {
            std::vector<int32_t> q;
            float scale;
            int32_t zp;
            onnx_dql(&p.a[r * p.as], k, &q, &scale, &zp, per_row ? nullptr : p.a.data(), per_row ? 0 : m, p.as);
            for (size_t col = 0; col < n; ++col) {
              int64_t acc = 0;
              for (size_t kk = 0; kk < k; ++kk) acc += (q[kk] - zp) * static_cast<int64_t>(p.w[col * k + kk]);
              float y = static_cast<float>(acc) * (scale * p.w_scale[col]) + p.bias[col];
              want[r * p.cs + col] = std::min(4.0f, std::max(-4.0f, y));
            }
          }
          const std::string d = wasmq_test::first_difference(got, want, m, p.cs);
          INFO((per_row ? "per row" : "per tensor") << " M=" << m << " N=" << n << " K=" << k << " shift=" << shift << " seed=" << seed << ": " << d);
          REQUIRE(d.empty());
        }
      }
    }
  }
}

TEST_CASE("qd8 f32 gemm is within the activation quantization error of the float matmul", "[kernels][gemm]") {
  // |y - y_float| <= scale_a / 2 * sum_k |w_k| * w_scale (+ float rounding): the bound of rounding A.
  WASMQ_SEED_INFO(wasmq_test::test_seed());
  for (bool per_row : {true, false}) {
    const size_t m = 6, n = 9, k = 64;
    Qd8Problem p = make(m, n, k, wasmq_test::test_seed(5), 0.5f);
    for (size_t r = 0; r < m; ++r) {
      for (size_t kk = 0; kk < k; ++kk) p.a[r * p.as + kk] *= static_cast<float>(r + 1);  // rows of different ranges
    }
    std::vector<uint8_t> scratch(wasmq::qd8_scratch_size(m, k));
    std::vector<float> got(m * p.cs);
    wasmq::Qd8GemmArgs args;
    args.packed_w = p.packed.data();
    args.w_scale = p.w_scale.data();
    args.bias = p.bias.data();
    args.per_row = per_row;
    wasmq::qd8_f32_gemm(m, 0, n, k, p.a.data(), p.as, args, got.data(), p.cs, scratch.data());
    float gmax = 0.0f, gmin = 0.0f;
    for (size_t r = 0; r < m; ++r) {
      for (size_t kk = 0; kk < k; ++kk) gmax = std::max(gmax, p.a[r * p.as + kk]), gmin = std::min(gmin, p.a[r * p.as + kk]);
    }
    for (size_t r = 0; r < m; ++r) {
      float lo = 0.0f, hi = 0.0f;
      for (size_t kk = 0; kk < k; ++kk) lo = std::min(lo, p.a[r * p.as + kk]), hi = std::max(hi, p.a[r * p.as + kk]);
      const float scale_a = per_row ? (hi - lo) / 255.0f : (gmax - gmin) / 255.0f;
      for (size_t col = 0; col < n; ++col) {
        double y = p.bias[col], bound = 0.0;
        for (size_t kk = 0; kk < k; ++kk) {
          y += static_cast<double>(p.a[r * p.as + kk]) * p.w[col * k + kk] * p.w_scale[col];
          bound += 0.5 * scale_a * std::abs(p.w[col * k + kk]) * p.w_scale[col];
        }
        INFO("per_row=" << per_row << " row " << r << " col " << col);
        REQUIRE(std::abs(got[r * p.cs + col] - y) <= bound * 1.01 + 1e-4);
      }
    }
  }
}

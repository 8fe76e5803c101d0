// Float32 GEMM kernels vs the scalar reference and a naive loop with the same summation order (exact).
#include <catch.hpp>

#include <vector>

#include "gemm_tester.h"
#include "kernels/f32-gemm/f32-gemm.h"

namespace {

struct F32Case {
  const char* name;
  wasmq::f32_gemm_fn fn;
};

std::vector<F32Case> f32_cases() {
  return {
      {"f32_gemm_minmax__scalar", wasmq::f32_gemm_minmax__scalar},
#if defined(WASMQ_HAVE_WASMSIMD)
      {"f32_gemm_minmax__wasmsimd_loadsplat_4x8", wasmq::f32_gemm_minmax__wasmsimd_loadsplat_4x8},
      {"f32_gemm_minmax__wasmsimd_loadsplat_6x8", wasmq::f32_gemm_minmax__wasmsimd_loadsplat_6x8},
      {"f32_gemm_minmax__wasmsimd_splat_4x8", wasmq::f32_gemm_minmax__wasmsimd_splat_4x8},
      {"f32_gemm_minmax__wasmsimd_splat_6x8", wasmq::f32_gemm_minmax__wasmsimd_splat_6x8},
#endif
      {"f32_gemm_config", wasmq::f32_gemm_config().gemm},
  };
}

// Runs one shape; W is given as [K][N] (w_k_stride = n) to exercise the strided packing.
void check(const F32Case& c, size_t m, size_t n, size_t k, size_t as, size_t cs, float fmin, float fmax,
           uint64_t seed, size_t mb = 0, size_t me = 0, size_t nb = 0, size_t ne = 0) {
  if (me == 0) me = m;
  if (ne == 0) ne = n;
  const std::vector<float> a = wasmq_test::normal(m * as + 1, seed);
  const std::vector<float> w = wasmq_test::normal(n * k, seed + 1);
  const std::vector<float> bias = wasmq_test::normal(n, seed + 2);
  std::vector<float> packed(wasmq::f32_packw_size(n, k), -1.0f);
  wasmq::f32_packw(n, k, w.data(), 1, n, bias.data(), packed.data());
  std::vector<float> want(m * cs, wasmq_test::sentinel<float>()), got = want;
  for (size_t r = mb; r < me; ++r) {
    for (size_t col = nb; col < ne; ++col) {
      float acc = bias[col];
      for (size_t kk = 0; kk < k; ++kk) acc = acc + a[r * as + kk] * w[kk * n + col];
      acc = acc < fmin ? fmin : acc;
      want[r * cs + col] = fmax < acc ? fmax : acc;
    }
  }
  c.fn(mb, me, nb, ne, k, a.data(), as, packed.data(), got.data(), cs, wasmq::F32GemmParams{fmin, fmax});
  const std::string d = wasmq_test::first_difference(got, want, m, cs);
  INFO(c.name << " M=" << m << " N=" << n << " K=" << k << " a_stride=" << as << " c_stride=" << cs << " clamp=["
               << fmin << "," << fmax << "] range m[" << mb << "," << me << ") n[" << nb << "," << ne << ") seed="
               << seed << ": " << d);
  REQUIRE(d.empty());
}

}  // namespace

TEST_CASE("f32 gemm: shapes, strides, clamps (bit-exact, same summation order)", "[kernels][gemm]") {
  WASMQ_SEED_INFO(wasmq_test::test_seed());
  for (const F32Case& c : f32_cases()) {
    for (size_t m = 1; m <= 14; ++m) {
      for (size_t n = 1; n <= 17; n += (n < 9 ? 1 : 4)) {
        for (size_t k : {1, 2, 3, 4, 5, 7, 8, 9, 16, 31, 64, 67}) {
          const uint64_t seed = wasmq_test::test_seed(m * 10000 + n * 100 + k);
          if ((m + n + k) % 3 == 0) {
            check(c, m, n, k, wasmq_test::next_prime(k + 1), wasmq_test::next_prime(n + 1), -0.7f, 1.1f, seed);
          } else {
            check(c, m, n, k, k, n, -1e30f, 1e30f, seed);
          }
        }
      }
    }
  }
}

TEST_CASE("f32 gemm: sub-ranges, ReLU clamp, deep K", "[kernels][gemm]") {
  WASMQ_SEED_INFO(wasmq_test::test_seed());
  for (const F32Case& c : f32_cases()) {
    for (size_t mb : {0, 1, 5}) {
      for (size_t nb : {0, 8}) {
        check(c, 13, 21, 19, 23, 29, 0.0f, 6.0f, wasmq_test::test_seed(mb + nb), mb, 12, nb, 19);
      }
    }
    check(c, 7, 9, 1000, 1009, 11, -1e30f, 1e30f, wasmq_test::test_seed(77));
  }
}

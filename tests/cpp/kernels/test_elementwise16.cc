// Tests of the int8-input, int16-output add/mul kernels (qs8_qs16): scalar and SIMD equal a plain
// int64 accumulator through requantize_fp32 exactly, that is within the stated bound of the real
// formula, and the broadcasting drivers (all broadcasts, row sub-ranges) equal it per element.
#include <catch.hpp>

#include <algorithm>
#include <cmath>
#include <type_traits>
#include <utility>
#include <vector>

#include "common/error.h"
#include "elementwise_tester.h"
#include "kernels/elementwise/elementwise.h"
#include "kernels/requant/requant.h"

using wasmq::Broadcast;

namespace {

constexpr int16_t kSentinel = 0x5A5A;

// Plain definitions: the accumulator in int64, then the one requantization rule.
int32_t ref_add(int32_t a, int32_t b, const wasmq::QAddParams& p) {
  const int64_t acc = static_cast<int64_t>(a - p.a_zero_point) * p.a_multiplier +
                      static_cast<int64_t>(b - p.b_zero_point) * p.b_multiplier;
  if (std::llabs(acc) >= (int64_t{1} << 24)) FAIL("add accumulator " << acc << " is not exact in float");
  return wasmq::requantize_fp32(static_cast<int32_t>(acc), p.requant);
}
int32_t ref_mul(int32_t a, int32_t b, const wasmq::QMulParams& p) {
  const int64_t acc = static_cast<int64_t>(a - p.a_zero_point) * (b - p.b_zero_point);
  return wasmq::requantize_fp32(static_cast<int32_t>(acc), p.requant);
}

// Quantization of one case.
struct Q {
  float sa;
  int32_t za;
  float sb;
  int32_t zb;
  float sy;
  int32_t zy, qmin, qmax;
};

// The real-valued result in output codes, rounded and clamped, and the allowed distance from it:
// the rounded smaller-scale Q14 multiplier (add) and float32 scale rounding, plus 1 for ties.
double real_code(bool add, const Q& q, int32_t a, int32_t b) {
  const double real = add ? static_cast<double>(q.sa) * (a - q.za) + static_cast<double>(q.sb) * (b - q.zb)
                          : static_cast<double>(q.sa) * (a - q.za) * static_cast<double>(q.sb) * (b - q.zb);
  const double c = std::nearbyint(real / q.sy) + q.zy;
  return std::min<double>(std::max<double>(c, q.qmin), q.qmax);
}
double real_tolerance(bool add, const Q& q) {
  const double smax = std::max(q.sa, q.sb);
  return add ? 1.0 + 255.0 * std::ldexp(smax / q.sy, -15) + 65536.0 * std::ldexp(1.0, -22) : 1.0;
}

std::vector<int8_t> random_codes(size_t n, wasmq::Rng& rng) {
  std::vector<int8_t> v(n);
  for (auto& x : v) x = static_cast<int8_t>(static_cast<int32_t>(rng.below(256)) - 128);
  if (n > 0) v[0] = -128;
  if (n > 1) v[n - 1] = 127;
  return v;
}

// Cases: unsaturated spans of the int16 range, saturating ones, zero points at the limits, clamps.
std::vector<Q> cases(bool add) {
  std::vector<Q> qs;
  const int32_t zps[] = {-128, -1, 0, 127};
  const float ratios[] = {1.0f / 16, 0.3f, 1.0f, 2.5f, 16.0f};
  int k = 0;
  for (int32_t za : zps) {
    for (int32_t zb : {127, 0, -128}) {
      for (float r : ratios) {
        ++k;
        const float sa = 0.02f, sb = 0.02f * r;
        // Largest |real| is about 255 * (sa + sb) (add) or 255^2 * sa * sb (mul).
        const double span = add ? 255.0 * (sa + sb) : 65025.0 * sa * sb;
        const int32_t zy = k % 5 == 0 ? -32768 : k % 5 == 1 ? 32767 : k % 5 == 2 ? 0 : 1234;
        const bool saturate = k % 3 == 0;
        const float sy = static_cast<float>(saturate ? span / 3000000.0 : span / 30000.0);
        int32_t qmin = -32768, qmax = 32767;
        if (k % 4 == 1) qmin = std::max(zy, -32768);                   // ReLU-like
        if (k % 4 == 2) qmin = -1000, qmax = 2000;                     // narrow clamp
        qs.push_back({sa, za, sb, zb, sy, zy, qmin, qmax});
      }
    }
  }
  return qs;
}

size_t checked = 0;  // elements compared (failures alone are Catch assertions)

template <typename P, typename Fn>
void check_kernel(bool add, bool constant, Fn fn, const char* name, const Q& q, const P& p, uint64_t seed) {
  wasmq::Rng rng(seed);
  std::vector<size_t> sizes;
  for (size_t n = 0; n <= 70; ++n) sizes.push_back(n);
  sizes.push_back(1000);
  const double tol = real_tolerance(add, q);
  for (size_t n : sizes) {
    const std::vector<int8_t> a = random_codes(n, rng);
    std::vector<int8_t> b = random_codes(constant ? 1 : n, rng);
    if (constant) b[0] = static_cast<int8_t>(static_cast<int32_t>(rng.below(256)) - 128);
    std::vector<int16_t> y(n + 2, kSentinel);
    fn(n, a.data(), b.data(), y.data() + 1, p);
    REQUIRE(y[0] == kSentinel);
    REQUIRE(y[n + 1] == kSentinel);
    for (size_t i = 0; i < n; ++i) {
      const int32_t av = a[i], bv = constant ? b[0] : b[i];
      int32_t e;
      if constexpr (std::is_same<P, wasmq::QAddParams>::value) e = ref_add(av, bv, p); else e = ref_mul(av, bv, p);
      const double real = real_code(add, q, av, bv);
      if (static_cast<int32_t>(y[i + 1]) == e && std::fabs(real - e) <= tol) continue;  // assert failures only
      INFO(name << " n=" << n << " i=" << i << " a=" << av << " b=" << bv << " sa=" << q.sa << " za=" << q.za
                << " sb=" << q.sb << " zb=" << q.zb << " sy=" << q.sy << " zy=" << q.zy << " clamp=[" << q.qmin
                << "," << q.qmax << "] seed=" << seed);
      REQUIRE(static_cast<int32_t>(y[i + 1]) == e);
      REQUIRE(std::fabs(real - e) <= tol);
    }
    checked += n;
  }
}

}  // namespace

TEST_CASE("qs8_qs16 add kernels: scalar == SIMD == int64 formula through requantize_fp32", "[kernels][elementwise16]") {
  const uint64_t seed = wasmq_test::test_seed(301);
  WASMQ_SEED_INFO(seed);
  const auto& scalar = wasmq::elementwise16_config_scalar();
  const auto& best = wasmq::elementwise16_config();
  uint64_t k = 0;
  int saturated_cases = 0;
  for (const Q& q : cases(true)) {
    const wasmq::QAddParams p = wasmq::make_qs8_qs16_add_params(q.sa, q.za, q.sb, q.zb, q.sy, q.zy, q.qmin, q.qmax);
    saturated_cases += 255.0 * (q.sa + q.sb) / q.sy > 65536.0;
    for (bool c : {false, true}) {
      ++k;
      check_kernel(true, c, c ? wasmq::qs8_qs16_vaddc_minmax__scalar : wasmq::qs8_qs16_vadd_minmax__scalar,
                   c ? "vaddc scalar" : "vadd scalar", q, p, seed + k);
      check_kernel(true, c, c ? scalar.addc : scalar.add, "scalar config", q, p, seed + k);
      check_kernel(true, c, c ? best.addc : best.add, "best config", q, p, seed + k);
#if defined(WASMQ_HAVE_WASMSIMD)
      check_kernel(true, c, c ? wasmq::qs8_qs16_vaddc_minmax__wasmsimd_x16 : wasmq::qs8_qs16_vadd_minmax__wasmsimd_x16,
                   c ? "vaddc wasmsimd_x16" : "vadd wasmsimd_x16", q, p, seed + k);
#endif
    }
  }
  REQUIRE(saturated_cases > 10);
  REQUIRE(checked > 1000000);
#if defined(WASMQ_HAVE_WASMSIMD)
  REQUIRE(best.add == wasmq::qs8_qs16_vadd_minmax__wasmsimd_x16);
#endif
}

TEST_CASE("qs8_qs16 mul kernels: scalar == SIMD == int64 formula through requantize_fp32", "[kernels][elementwise16]") {
  const uint64_t seed = wasmq_test::test_seed(302);
  WASMQ_SEED_INFO(seed);
  const auto& scalar = wasmq::elementwise16_config_scalar();
  const auto& best = wasmq::elementwise16_config();
  uint64_t k = 0;
  for (const Q& q : cases(false)) {
    const wasmq::QMulParams p = wasmq::make_qs8_qs16_mul_params(q.sa, q.za, q.sb, q.zb, q.sy, q.zy, q.qmin, q.qmax);
    for (bool c : {false, true}) {
      ++k;
      check_kernel(false, c,
                   c ? wasmq::qs8_qs16_vmulc_minmax_fp32__scalar : wasmq::qs8_qs16_vmul_minmax_fp32__scalar,
                   c ? "vmulc scalar" : "vmul scalar", q, p, seed + k);
      check_kernel(false, c, c ? scalar.mulc : scalar.mul, "scalar config", q, p, seed + k);
      check_kernel(false, c, c ? best.mulc : best.mul, "best config", q, p, seed + k);
#if defined(WASMQ_HAVE_WASMSIMD)
      check_kernel(false, c,
                   c ? wasmq::qs8_qs16_vmulc_minmax_fp32__wasmsimd_x16 : wasmq::qs8_qs16_vmul_minmax_fp32__wasmsimd_x16,
                   c ? "vmulc wasmsimd_x16" : "vmul wasmsimd_x16", q, p, seed + k);
#endif
    }
  }
}

TEST_CASE("qs8_qs16 add/mul drivers: all broadcasts, row sub-ranges, per-element formula", "[kernels][elementwise16]") {
  const uint64_t seed = wasmq_test::test_seed(303);
  WASMQ_SEED_INFO(seed);
  const Broadcast all[] = {Broadcast::kFull, Broadcast::kChannel, Broadcast::kScalar};
  const Q qadd{0.05f, -3, 0.013f, 127, 0.05f * 510 / 40000, -32768, -32768, 32767};
  const Q qmul{0.05f, -128, 0.03f, 5, 0.05f * 0.03f * 65025 / 20000, 200, 0, 32767};
  const wasmq::QAddParams padd = wasmq::make_qs8_qs16_add_params(qadd.sa, qadd.za, qadd.sb, qadd.zb, qadd.sy, qadd.zy);
  const wasmq::QMulParams pmul =
      wasmq::make_qs8_qs16_mul_params(qmul.sa, qmul.za, qmul.sb, qmul.zb, qmul.sy, qmul.zy, qmul.qmin, qmul.qmax);
  const size_t rows = 5;
  uint64_t k = 0;
  for (bool add : {true, false}) {
    for (size_t c : {1, 7, 16, 33, 70}) {
      for (Broadcast ba : all) {
        for (Broadcast bb : all) {
          for (bool simd : {false, true}) {
            ++k;
            wasmq::Rng rng(seed + k);
            const std::vector<int8_t> a = random_codes(wasmq_test::bcast_size(ba, rows, c), rng);
            const std::vector<int8_t> b = random_codes(wasmq_test::bcast_size(bb, rows, c), rng);
            const wasmq::BinaryShape s{rows, c, ba, bb};
            const auto& cfg = simd ? wasmq::elementwise16_config() : wasmq::elementwise16_config_scalar();
            // Rows [1, 4) in two calls; rows 0 and 4 must stay untouched.
            std::vector<int16_t> y(rows * c, kSentinel);
            for (auto [r0, r1] : {std::pair<size_t, size_t>{1, 2}, {2, 4}, {3, 3}}) {
              if (add) wasmq::qs8_qs16_add(s, a.data(), b.data(), y.data(), padd, r0, r1, cfg);
              else wasmq::qs8_qs16_mul(s, a.data(), b.data(), y.data(), pmul, r0, r1, cfg);
            }
            for (size_t r = 0; r < rows; ++r) {
              for (size_t j = 0; j < c; ++j) {
                const size_t ia = ba == Broadcast::kFull ? r * c + j : ba == Broadcast::kChannel ? j : 0;
                const size_t ib = bb == Broadcast::kFull ? r * c + j : bb == Broadcast::kChannel ? j : 0;
                INFO((add ? "add" : "mul") << " channels=" << c << " a=" << wasmq_test::bcast_name(ba)
                                           << " b=" << wasmq_test::bcast_name(bb) << " simd=" << simd << " row=" << r
                                           << " channel=" << j << " seed=" << seed + k);
                const int32_t got = y[r * c + j];
                if (r == 0 || r == 4) {
                  REQUIRE(got == kSentinel);
                } else {
                  REQUIRE(got == (add ? ref_add(a[ia], b[ib], padd) : ref_mul(a[ia], b[ib], pmul)));
                }
              }
            }
          }
        }
      }
    }
  }
  std::vector<int16_t> y(10);
  const int8_t a[10] = {}, b[10] = {};
  REQUIRE_THROWS_AS(wasmq::qs8_qs16_add({2, 5, Broadcast::kFull, Broadcast::kFull}, a, b, y.data(), padd, 1, 3),
                    wasmq::Error);
  REQUIRE_THROWS_AS(wasmq::qs8_qs16_mul({2, 5, Broadcast::kFull, Broadcast::kFull}, a, b, y.data(), pmul, 2, 1),
                    wasmq::Error);
}

TEST_CASE("qs8_qs16 params: int8 input zero points, int16 output zero point and clamp", "[kernels][elementwise16]") {
  // Accepted at the limits.
  REQUIRE_NOTHROW(wasmq::make_qs8_qs16_add_params(0.1f, -128, 0.2f, 127, 0.001f, -32768));
  REQUIRE_NOTHROW(wasmq::make_qs8_qs16_mul_params(0.1f, 127, 0.2f, -128, 0.001f, 32767, 32767, 32767));
  const wasmq::QAddParams p = wasmq::make_qs8_qs16_add_params(0.1f, 0, 0.1f, 0, 0.001f, 5);
  REQUIRE(p.requant.qmin == -32768);
  REQUIRE(p.requant.qmax == 32767);
  REQUIRE(p.a_multiplier == (1 << wasmq::kQAddShift));
  // Rejected: input zero points outside int8, output outside int16, bad clamps and scales.
  REQUIRE_THROWS_AS(wasmq::make_qs8_qs16_add_params(0.1f, 128, 0.2f, 0, 0.001f, 0), wasmq::Error);
  REQUIRE_THROWS_AS(wasmq::make_qs8_qs16_mul_params(0.1f, 0, 0.2f, -129, 0.001f, 0), wasmq::Error);
  REQUIRE_THROWS_AS(wasmq::make_qs8_qs16_add_params(0.1f, 0, 0.2f, 0, 0.001f, 32768), wasmq::Error);
  REQUIRE_THROWS_AS(wasmq::make_qs8_qs16_mul_params(0.1f, 0, 0.2f, 0, 0.001f, -32769), wasmq::Error);
  REQUIRE_THROWS_AS(wasmq::make_qs8_qs16_add_params(0.1f, 0, 0.2f, 0, 0.001f, 0, -32769, 0), wasmq::Error);
  REQUIRE_THROWS_AS(wasmq::make_qs8_qs16_mul_params(0.1f, 0, 0.2f, 0, 0.001f, 0, 10, 9), wasmq::Error);
  REQUIRE_THROWS_AS(wasmq::make_qs8_qs16_add_params(0.1f, 0, 0.0f, 0, 0.001f, 0), wasmq::Error);
  REQUIRE_THROWS_AS(wasmq::make_qs8_qs16_mul_params(0.1f, 0, 0.2f, 0, NAN, 0), wasmq::Error);
  // The int8 builders still reject int16 output zero points.
  REQUIRE_THROWS_AS(wasmq::make_qs8_add_params(0.1f, 0, 0.2f, 0, 0.001f, 200), wasmq::Error);
}

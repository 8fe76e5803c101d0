// Conversion kernels: WASM SIMD versions equal the scalar reference bit for bit.
#include <catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "kernels/vcvt/vcvt.h"
#include "test_util.h"

using namespace wasmq;

#if defined(WASMQ_HAVE_WASMSIMD)

TEST_CASE("f32 -> qs8/qu8 SIMD equals scalar", "[kernels]") {
  const uint64_t seed = wasmq_test::test_seed(20);
  WASMQ_SEED_INFO(seed);
  for (size_t n : {0, 1, 15, 16, 17, 31, 32, 33, 100, 1021}) {
    for (float scale : {1.0f, 0.0371f, 1e-30f, 3.5e10f}) {
      for (int zp : {-128, -3, 0, 1, 127}) {
        std::vector<float> x = wasmq_test::normal(n, seed + n, 0.0f, 6.0f);
        // Ties, huge values and the clamp bounds.
        for (size_t i = 0; i < n; i += 7) x[i] = (static_cast<float>(i % 11) - 5.0f + 0.5f) * scale;
        if (n > 3) {
          x[1] = 3e38f;
          x[2] = -3e38f;
          x[3] = -0.0f;
        }
        const QuantizeParams ps{scale, static_cast<float>(zp), -128.0f, 127.0f};
        std::vector<int8_t> a(n + 1, 0x55), b(n + 1, 0x55);
        f32_qs8_vcvt__scalar(n, x.data(), a.data(), ps);
        f32_qs8_vcvt__wasmsimd_x16(n, x.data(), b.data(), ps);
        INFO("n = " << n << " scale = " << scale << " zp = " << zp);
        REQUIRE(a == b);  // includes the sentinel past the end
        const QuantizeParams pu{scale, static_cast<float>(zp + 128), 0.0f, 255.0f};
        std::vector<uint8_t> c(n + 1, 0x55), d(n + 1, 0x55);
        f32_qu8_vcvt__scalar(n, x.data(), c.data(), pu);
        f32_qu8_vcvt__wasmsimd_x16(n, x.data(), d.data(), pu);
        REQUIRE(c == d);
        const QuantizeParams p4{scale, 0.0f, -7.0f, 7.0f};  // narrowed (int4 symmetric) bounds
        f32_qs8_vcvt__scalar(n, x.data(), a.data(), p4);
        f32_qs8_vcvt__wasmsimd_x16(n, x.data(), b.data(), p4);
        REQUIRE(a == b);
      }
    }
  }
}

TEST_CASE("qs8/qu8 -> f32 SIMD equals scalar", "[kernels]") {
  const uint64_t seed = wasmq_test::test_seed(21);
  WASMQ_SEED_INFO(seed);
  for (size_t n : {0, 1, 15, 16, 17, 47, 64, 1000}) {
    const std::vector<int8_t> q = wasmq_test::random_int8(n, seed + n);
    for (int zp : {-128, 0, 5, 127, 255}) {
      const DequantizeParams p{0.0123f, zp};
      std::vector<float> a(n + 1, -7.0f), b(n + 1, -7.0f);
      qs8_f32_vcvt__scalar(n, q.data(), a.data(), p);
      qs8_f32_vcvt__wasmsimd_x16(n, q.data(), b.data(), p);
      INFO("n = " << n << " zp = " << zp);
      REQUIRE(std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
      const uint8_t* u = reinterpret_cast<const uint8_t*>(q.data());
      qu8_f32_vcvt__scalar(n, u, a.data(), p);
      qu8_f32_vcvt__wasmsimd_x16(n, u, b.data(), p);
      REQUIRE(std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
    }
  }
}

TEST_CASE("int4 pack/unpack SIMD equals scalar and round-trips", "[kernels]") {
  const uint64_t seed = wasmq_test::test_seed(22);
  WASMQ_SEED_INFO(seed);
  for (size_t n : {0, 1, 2, 31, 32, 33, 63, 64, 65, 301}) {
    const std::vector<int8_t> s = wasmq_test::random_int8(n, seed + n, -8, 7);
    const std::vector<int8_t> u = wasmq_test::random_int8(n, seed + n + 1, 0, 15);
    const size_t bytes = (n + 1) / 2;
    std::vector<uint8_t> pa(bytes + 1, 0xAB), pb(bytes + 1, 0xAB);
    x8_pack4__scalar(n, s.data(), pa.data());
    x8_pack4__wasmsimd_x32(n, s.data(), pb.data());
    INFO("n = " << n);
    REQUIRE(pa == pb);
    std::vector<int8_t> ua(n + 1, 99), ub(n + 1, 99);
    qs4_unpack__scalar(n, pa.data(), ua.data());
    qs4_unpack__wasmsimd_x32(n, pa.data(), ub.data());
    REQUIRE(ua == ub);
    REQUIRE(std::equal(s.begin(), s.end(), ua.begin()));
    x8_pack4__wasmsimd_x32(n, u.data(), pb.data());
    qu4_unpack__scalar(n, pb.data(), ua.data());
    qu4_unpack__wasmsimd_x32(n, pb.data(), ub.data());
    REQUIRE(ua == ub);
    REQUIRE(std::equal(u.begin(), u.end(), ua.begin()));
  }
}

#else

TEST_CASE("scalar-only build: conversion kernels round-trip", "[kernels]") {
  const std::vector<int8_t> s = wasmq_test::random_int8(33, 1, -8, 7);
  std::vector<uint8_t> p(17);
  std::vector<int8_t> u(33);
  x8_pack4__scalar(33, s.data(), p.data());
  qs4_unpack__scalar(33, p.data(), u.data());
  REQUIRE(u == s);
}

#endif

#include "kernels/rminmax/rminmax.h"

TEST_CASE("f32 rminmax: SIMD equals scalar and flags NaN/Inf", "[kernels]") {
  const uint64_t seed = wasmq_test::test_seed(23);
  WASMQ_SEED_INFO(seed);
  for (size_t n : {1, 3, 15, 16, 17, 33, 64, 1000}) {
    std::vector<float> x = wasmq_test::normal(n, seed + n, 1.0f, 5.0f);
    float a0, a1;
    REQUIRE(f32_rminmax__scalar(n, x.data(), &a0, &a1));
    REQUIRE(a0 == *std::min_element(x.begin(), x.end()));
    REQUIRE(a1 == *std::max_element(x.begin(), x.end()));
#if defined(WASMQ_HAVE_WASMSIMD)
    float b0, b1;
    REQUIRE(f32_rminmax__wasmsimd_x16(n, x.data(), &b0, &b1));
    REQUIRE(a0 == b0);
    REQUIRE(a1 == b1);
#endif
    for (size_t bad : {size_t{0}, n / 2, n - 1}) {
      for (float v : {NAN, INFINITY, -INFINITY}) {
        std::vector<float> y = x;
        y[bad] = v;
        INFO("n = " << n << " bad at " << bad << " = " << v);
        REQUIRE_FALSE(f32_rminmax__scalar(n, y.data(), &a0, &a1));
#if defined(WASMQ_HAVE_WASMSIMD)
        REQUIRE_FALSE(f32_rminmax__wasmsimd_x16(n, y.data(), &a0, &a1));
#endif
      }
    }
  }
}

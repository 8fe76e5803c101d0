// float16 / bfloat16 conversions: exact round trips, round to nearest even, NaN and Inf.
#include <catch.hpp>

#include <cmath>
#include <limits>

#include "common/bits.h"
#include "test_util.h"
#include "wasmq.h"

using namespace wasmq;

TEST_CASE("every float16 survives a round trip through float32", "[fp16]") {
  for (uint32_t h = 0; h < 65536; ++h) {
    const float f = fp16_to_fp32(static_cast<uint16_t>(h));
    const bool nan = (h & 0x7C00u) == 0x7C00u && (h & 0x3FFu);
    if (nan) {
      REQUIRE(std::isnan(f));
      REQUIRE(std::isnan(fp16_to_fp32(fp32_to_fp16(f))));
    } else {
      INFO("h = " << h);
      REQUIRE(fp32_to_fp16(f) == h);
    }
  }
}

TEST_CASE("float16 rounding: nearest, ties to even, overflow to Inf, subnormals", "[fp16]") {
  REQUIRE(fp32_to_fp16(1.0f) == 0x3C00);
  REQUIRE(fp32_to_fp16(1.0f + std::ldexp(1.0f, -11)) == 0x3C00);      // tie -> even
  REQUIRE(fp32_to_fp16(1.0f + 3 * std::ldexp(1.0f, -11)) == 0x3C02);  // tie -> even (up)
  REQUIRE(fp32_to_fp16(65504.0f) == 0x7BFF);
  REQUIRE(fp32_to_fp16(65519.996f) == 0x7BFF);
  REQUIRE(fp32_to_fp16(65520.0f) == 0x7C00);
  REQUIRE(fp32_to_fp16(-1e9f) == 0xFC00);
  REQUIRE(fp32_to_fp16(std::ldexp(1.0f, -24)) == 0x0001);
  REQUIRE(fp32_to_fp16(std::ldexp(1.0f, -25)) == 0x0000);      // tie -> even (zero)
  REQUIRE(fp32_to_fp16(3 * std::ldexp(1.0f, -25)) == 0x0002);  // tie -> even
  REQUIRE(fp32_to_fp16(-0.0f) == 0x8000);
  REQUIRE(fp32_to_fp16(INFINITY) == 0x7C00);
  REQUIRE(fp32_to_fp16(-INFINITY) == 0xFC00);
  REQUIRE((fp32_to_fp16(std::numeric_limits<float>::quiet_NaN()) & 0x7FFF) > 0x7C00);
}

TEST_CASE("float16 and bfloat16 conversions pick the nearest value (random bit patterns)", "[fp16]") {
  const uint64_t seed = wasmq_test::test_seed(30);
  WASMQ_SEED_INFO(seed);
  Rng rng(seed);
  for (int it = 0; it < 300000; ++it) {
    const float f = bits_float(static_cast<uint32_t>(rng.next()));
    if (!std::isfinite(f)) continue;
    // float16
    const uint16_t h = fp32_to_fp16(f);
    const double v = fp16_to_fp32(h);
    if (std::fabs(f) < 65520.0f) {
      INFO("f = " << f << " h = " << h);
      REQUIRE(std::isfinite(v));
      for (int d : {-1, 1}) {
        const uint16_t nb = static_cast<uint16_t>(h + d);
        const double w = fp16_to_fp32(nb);
        if ((nb & 0x7FFF) > 0x7BFF || ((h ^ nb) & 0x8000)) continue;  // out of the finite same-sign range
        const double dv = std::fabs(f - v), dw = std::fabs(f - w);
        REQUIRE(dv <= dw);
        if (dv == dw) REQUIRE((h & 1) == 0);
      }
    } else {
      REQUIRE(std::isinf(v));
    }
    // bfloat16
    const uint16_t b = fp32_to_bf16(f);
    const double bv = bf16_to_fp32(b);
    if (std::isfinite(bv)) {
      for (int d : {-1, 1}) {
        const uint16_t nb = static_cast<uint16_t>(b + d);
        if ((nb & 0x7FFF) >= 0x7F80 || ((b ^ nb) & 0x8000)) continue;
        const double w = bf16_to_fp32(nb);
        REQUIRE(std::fabs(f - bv) <= std::fabs(f - w));
        if (std::fabs(f - bv) == std::fabs(f - w)) REQUIRE((b & 1) == 0);
      }
    }
  }
}

TEST_CASE("bfloat16 keeps NaN and Inf; float16/bfloat16 tensors keep them too", "[fp16]") {
  REQUIRE(std::isnan(bf16_to_fp32(fp32_to_bf16(std::numeric_limits<float>::quiet_NaN()))));
  REQUIRE(std::isnan(bf16_to_fp32(fp32_to_bf16(bits_float(0x7F800001u)))));  // signalling NaN stays NaN
  REQUIRE(fp32_to_bf16(INFINITY) == 0x7F80);
  REQUIRE(fp32_to_bf16(3.4028235e38f) == 0x7F80);  // rounds up to Inf
  REQUIRE(fp32_to_bf16(1.0f) == 0x3F80);
  const std::vector<float> x = {1.0f, -INFINITY, std::numeric_limits<float>::quiet_NaN(), 0.1f};
  for (DType d : {DType::kFloat16, DType::kBFloat16}) {
    QuantizeOptions o;
    o.dtype = d;
    const QuantizedTensor q = quantize(x.data(), x.size(), o);
    REQUIRE(q.data.size() == 8);
    REQUIRE(q.scale.empty());
    std::vector<float> y(4);
    dequantize(q, y.data());
    REQUIRE(y[0] == 1.0f);
    REQUIRE(y[1] == -INFINITY);
    REQUIRE(std::isnan(y[2]));
    REQUIRE(std::fabs(y[3] - 0.1f) < (d == DType::kFloat16 ? 1e-4f : 1e-3f));
  }
}

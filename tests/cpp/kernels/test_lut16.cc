// Tests of the int16-output table activations: x8_lut16 kernels (SIMD == table[x] exactly, tails,
// offsets, no over-write) and build_lut16 against a direct double formula, clamps and errors.
#include <catch.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <vector>

#include "common/error.h"
#include "kernels/lut/lut.h"
#include "test_util.h"

namespace {

constexpr int16_t kSentinel = 0x5A5A;

void random_table(int16_t* table, wasmq::Rng& rng) {
  for (int k = 0; k < 256; ++k) table[k] = static_cast<int16_t>(static_cast<int32_t>(rng.below(65536)) - 32768);
  // The extremes, at slice borders of the SIMD lookup and in both byte halves.
  table[0] = -32768;
  table[15] = 32767;
  table[16] = -1;
  table[127] = 32767;
  table[128] = -32768;
  table[255] = 32767;
  table[254] = 0x00FF;
  table[253] = static_cast<int16_t>(0xFF00);
}

void check_lookup16(wasmq::x8_lut16_fn fn, const char* name, uint64_t seed) {
  int16_t table[256];
  wasmq::Rng rng(seed);
  random_table(table, rng);
  std::vector<size_t> sizes;
  for (size_t n = 0; n <= 70; ++n) sizes.push_back(n);
  for (size_t n : {1000, 1007, 4099}) sizes.push_back(n);
  for (size_t n : sizes) {
    for (size_t offset : {0, 1, 7}) {
      std::vector<uint8_t> x(n + offset);
      std::vector<int16_t> y(n + offset + 1, kSentinel);
      for (auto& v : x) v = static_cast<uint8_t>(rng.below(256));
      fn(n, x.data() + offset, y.data() + offset, table);
      for (size_t i = 0; i < n; ++i) {
        INFO(name << " n=" << n << " offset=" << offset << " i=" << i << " x=" << int(x[offset + i]) << " seed=" << seed);
        REQUIRE(y[offset + i] == table[x[offset + i]]);
      }
      REQUIRE(y[offset + n] == kSentinel);  // nothing written past n
      for (size_t i = 0; i < offset; ++i) REQUIRE(y[i] == kSentinel);
    }
  }
  // Every byte value in order, then in a scrambled long run (the SIMD main loop).
  std::vector<uint8_t> x(256 + 4096);
  for (size_t i = 0; i < 256; ++i) x[i] = static_cast<uint8_t>(i);
  for (size_t i = 256; i < x.size(); ++i) x[i] = static_cast<uint8_t>((i * 37 + 11) & 0xFF);
  std::vector<int16_t> y(x.size() + 1, kSentinel);
  fn(x.size(), x.data(), y.data(), table);
  for (size_t i = 0; i < x.size(); ++i) {
    INFO(name << " long run i=" << i);
    REQUIRE(y[i] == table[x[i]]);
  }
  REQUIRE(y[x.size()] == kSentinel);
}

}  // namespace

TEST_CASE("x8 lut16 kernels equal table[x] for every byte, tails and offsets", "[kernels][lut16]") {
  const uint64_t seed = wasmq_test::test_seed(211);
  WASMQ_SEED_INFO(seed);
  check_lookup16(wasmq::x8_lut16__scalar, "scalar", seed);
  check_lookup16(wasmq::x8_lut16_config(), "config", seed + 1);
#if defined(WASMQ_HAVE_WASMSIMD)
  check_lookup16(wasmq::x8_lut16__wasmsimd_x16, "wasmsimd_x16", seed + 2);
  REQUIRE(wasmq::x8_lut16_config() == wasmq::x8_lut16__wasmsimd_x16);
#endif
}

namespace {

// The definition, written out independently of lut_activation (same double operations).
double hard_swish(double x) { return x * std::min(std::max(x + 3.0, 0.0), 6.0) / 6.0; }
double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

int32_t expected_code(const wasmq::LutQuant& in, const wasmq::LutQuant& out, int32_t qmin, int32_t qmax,
                      double (*f)(double), int byte) {
  const int32_t q = in.is_signed ? static_cast<int32_t>(static_cast<int8_t>(byte)) : byte;
  const double x = static_cast<double>(in.scale) * static_cast<double>(q - in.zero_point);
  const double r = std::nearbyint(f(x) / static_cast<double>(out.scale)) + static_cast<double>(out.zero_point);
  return static_cast<int32_t>(std::min<double>(std::max<double>(r, qmin), qmax));
}

}  // namespace

TEST_CASE("lut16 builder: table[byte(q)] = clamp(round(f(x) / sy) + zy) in double, exact", "[kernels][lut16]") {
  struct Act {
    const char* name;
    double (*f)(double);
    wasmq::LutActivation a;
  };
  const Act acts[] = {{"hard_swish", hard_swish, wasmq::LutActivation::kHardSwish},
                      {"sigmoid", sigmoid, wasmq::LutActivation::kSigmoid}};
  const int32_t s8_zps[] = {-128, -1, 0, 1, 127};
  const int32_t u8_zps[] = {0, 1, 127, 128, 255};
  // Output (scale, zero point, qmin, qmax): full range unsaturated, saturating both ends, zero points
  // at the int16 limits, a fused ReLU-like clamp, and a narrow clamp.
  struct Out {
    float scale;
    int32_t zp, qmin, qmax;
  };
  const Out outs[] = {{1.0f / 4096, 0, -32768, 32767},   {1.0f / 65536, -3, -32768, 32767},
                      {1.0f / 1024, -32768, -32768, 32767}, {1.0f / 1024, 32767, -32768, 32767},
                      {1.0f / 2048, 100, 100, 32767},      {0.01f, 7, -50, 60},
                      {3e-6f, 0, -32768, 32767}};
  int saturated_tiny_scale = 0;  // codes at the clamp with out scale 3e-6 (hard-swish, sigmoid)
  for (const Act& act : acts) {
    for (bool in_signed : {true, false}) {
      for (int z = 0; z < 5; ++z) {
        for (const Out& o : outs) {
          const wasmq::LutQuant in{0.05f + 0.013f * z, in_signed ? s8_zps[z] : u8_zps[z], in_signed};
          int16_t table[256], table_other_sign[256];
          wasmq::build_lut16(in, {o.scale, o.zp, true}, o.qmin, o.qmax, wasmq::lut_activation(act.a), table);
          // out.is_signed does not matter for int16 outputs.
          wasmq::build_lut16(in, {o.scale, o.zp, false}, o.qmin, o.qmax, wasmq::lut_activation(act.a),
                             table_other_sign);
          int saturated = 0;
          for (int byte = 0; byte < 256; ++byte) {
            const int32_t e = expected_code(in, {o.scale, o.zp, true}, o.qmin, o.qmax, act.f, byte);
            INFO(act.name << " in scale " << in.scale << " zp " << in.zero_point << " signed " << in_signed
                          << " out scale " << o.scale << " zp " << o.zp << " clamp [" << o.qmin << "," << o.qmax
                          << "] byte " << byte);
            REQUIRE(static_cast<int32_t>(table[byte]) == e);
            REQUIRE(table_other_sign[byte] == table[byte]);
            REQUIRE(table[byte] >= o.qmin);
            REQUIRE(table[byte] <= o.qmax);
            saturated += (table[byte] == o.qmin || table[byte] == o.qmax);
          }
          if (o.scale == 3e-6f) saturated_tiny_scale += saturated;
        }
      }
    }
  }
}

TEST_CASE("lut16 builder: identity keeps int8 codes exactly, errors", "[kernels][lut16]") {
  int16_t table[256];
  // Identity from int8 (scale s, zp -5) to int16 (scale s / 256, zp 1000): (q + 5) * 256 + 1000.
  const wasmq::LutQuant in{0.1f, -5, true};
  const wasmq::LutQuant out{0.1f / 256, 1000, true};
  wasmq::build_lut16(in, out, -32768, 32767, [](double x) { return x; }, table);
  for (int b = 0; b < 256; ++b) {
    const int32_t q = static_cast<int8_t>(b);
    REQUIRE(static_cast<int32_t>(table[b]) == std::min(32767, (q + 5) * 256 + 1000));
  }
  const auto relu = wasmq::lut_activation(wasmq::LutActivation::kRelu);
  // Bad input quantization.
  REQUIRE_THROWS_AS(wasmq::build_lut16({0.0f, 0, true}, out, -32768, 32767, relu, table), wasmq::Error);
  REQUIRE_THROWS_AS(wasmq::build_lut16({std::nanf(""), 0, true}, out, -32768, 32767, relu, table), wasmq::Error);
  REQUIRE_THROWS_AS(wasmq::build_lut16({0.1f, 128, true}, out, -32768, 32767, relu, table), wasmq::Error);
  REQUIRE_THROWS_AS(wasmq::build_lut16({0.1f, -1, false}, out, -32768, 32767, relu, table), wasmq::Error);
  // Bad output quantization.
  REQUIRE_THROWS_AS(wasmq::build_lut16(in, {-1.0f, 0, true}, -32768, 32767, relu, table), wasmq::Error);
  REQUIRE_THROWS_AS(wasmq::build_lut16(in, {INFINITY, 0, true}, -32768, 32767, relu, table), wasmq::Error);
  REQUIRE_THROWS_AS(wasmq::build_lut16(in, {0.1f, 32768, true}, -32768, 32767, relu, table), wasmq::Error);
  REQUIRE_THROWS_AS(wasmq::build_lut16(in, {0.1f, -32769, true}, -32768, 32767, relu, table), wasmq::Error);
  // Bad clamps.
  REQUIRE_THROWS_AS(wasmq::build_lut16(in, out, -32769, 32767, relu, table), wasmq::Error);
  REQUIRE_THROWS_AS(wasmq::build_lut16(in, out, -32768, 32768, relu, table), wasmq::Error);
  REQUIRE_THROWS_AS(wasmq::build_lut16(in, out, 10, 9, relu, table), wasmq::Error);
  // NaN from the function.
  REQUIRE_THROWS_AS(wasmq::build_lut16(in, out, -32768, 32767, [](double) { return std::nan(""); }, table),
                    wasmq::Error);
  // Valid extremes: zero point at both int16 limits, a one-code clamp.
  REQUIRE_NOTHROW(wasmq::build_lut16(in, {0.1f, -32768, false}, -32768, 32767, relu, table));
  REQUIRE_NOTHROW(wasmq::build_lut16(in, {0.1f, 32767, false}, 5, 5, relu, table));
  for (int b = 0; b < 256; ++b) REQUIRE(table[b] == 5);
}

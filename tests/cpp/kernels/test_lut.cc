// Tests of the int8/uint8 table activations: the table builder against a float formula, and the
// SIMD lookup kernels against the scalar y[i] = table[x[i]] (every byte value, tails, offsets).
#include <catch.hpp>

#include <cmath>

#include "common/error.h"
#include "kernels/lut/lut.h"
#include "test_util.h"

namespace {

void check_lookup(wasmq::x8_lut_fn fn, const char* name, uint64_t seed) {
  uint8_t table[256];
  wasmq::Rng rng(seed);
  for (auto& t : table) t = static_cast<uint8_t>(rng.below(256));
  for (size_t n = 0; n <= 100; ++n) {
    for (size_t offset : {0, 1, 7}) {
      std::vector<uint8_t> x(n + offset), y(n + offset + 1, 0xEE);
      for (auto& v : x) v = static_cast<uint8_t>(rng.below(256));
      fn(n, x.data() + offset, y.data() + offset, table);
      for (size_t i = 0; i < n; ++i) {
        INFO(name << " n=" << n << " offset=" << offset << " i=" << i << " x=" << int(x[offset + i]) << " seed=" << seed);
        REQUIRE(y[offset + i] == table[x[offset + i]]);
      }
      REQUIRE(y[offset + n] == 0xEE);  // nothing written past n
      for (size_t i = 0; i < offset; ++i) REQUIRE(y[i] == 0xEE);
    }
  }
  // Every byte value, in a long run (the SIMD main loop).
  std::vector<uint8_t> x(4096), y(4096);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<uint8_t>((i * 37 + 11) & 0xFF);
  fn(x.size(), x.data(), y.data(), table);
  for (size_t i = 0; i < x.size(); ++i) {
    INFO(name << " long run i=" << i);
    REQUIRE(y[i] == table[x[i]]);
  }
}

}  // namespace

TEST_CASE("x8 lut kernels equal table[x] for every byte, tails and offsets", "[kernels][lut]") {
  const uint64_t seed = wasmq_test::test_seed(201);
  WASMQ_SEED_INFO(seed);
  check_lookup(wasmq::x8_lut__scalar, "scalar", seed);
  check_lookup(wasmq::x8_lut_config(), "config", seed + 1);
#if defined(WASMQ_HAVE_WASMSIMD)
  check_lookup(wasmq::x8_lut__wasmsimd_x16, "wasmsimd_x16", seed + 2);
  check_lookup(wasmq::x8_lut__wasmsimd_x32, "wasmsimd_x32", seed + 3);
#endif
}

namespace {

float ref_f(wasmq::LutActivation a, float x) {
  switch (a) {
    case wasmq::LutActivation::kSigmoid: return 1.0f / (1.0f + std::exp(-x));
    case wasmq::LutActivation::kTanh: return std::tanh(x);
    case wasmq::LutActivation::kGeluErf: return 0.5f * x * (1.0f + std::erf(x / std::sqrt(2.0f)));
    case wasmq::LutActivation::kGeluTanh:
      return 0.5f * x * (1.0f + std::tanh(std::sqrt(2.0f / 3.14159265f) * (x + 0.044715f * x * x * x)));
    case wasmq::LutActivation::kHardSwish: return x * std::min(std::max(x + 3.0f, 0.0f), 6.0f) / 6.0f;
    case wasmq::LutActivation::kHardSigmoid: return std::max(0.0f, std::min(1.0f, x / 6.0f + 0.5f));
    case wasmq::LutActivation::kLeakyRelu: return x < 0.0f ? 0.01f * x : x;
    case wasmq::LutActivation::kElu: return x < 0.0f ? std::exp(x) - 1.0f : x;
    case wasmq::LutActivation::kSilu: return x / (1.0f + std::exp(-x));
    case wasmq::LutActivation::kExp: return std::exp(x);
    case wasmq::LutActivation::kRelu: return std::max(x, 0.0f);
  }
  return 0.0f;
}

}  // namespace

TEST_CASE("lut builder: out[q] = quantize(f(dequantize(q))) within 1 code of float math", "[kernels][lut]") {
  using A = wasmq::LutActivation;
  const A acts[] = {A::kSigmoid, A::kTanh,      A::kGeluErf, A::kGeluTanh, A::kHardSwish, A::kHardSigmoid,
                    A::kLeakyRelu, A::kElu, A::kSilu, A::kExp, A::kRelu};
  const int32_t s8_zps[] = {-128, -1, 0, 1, 127};
  const int32_t u8_zps[] = {0, 1, 127, 128, 255};
  int k = 0;
  for (A act : acts) {
    for (bool in_signed : {true, false}) {
      for (bool out_signed : {true, false}) {
        for (int z = 0; z < 5; ++z) {
          ++k;
          const wasmq::LutQuant in{0.05f + 0.01f * z, in_signed ? s8_zps[z] : u8_zps[z], in_signed};
          const int32_t ozp = out_signed ? s8_zps[(z + 2) % 5] : u8_zps[(z + 2) % 5];
          const wasmq::LutQuant out{act == A::kExp ? 0.5f : 1.0f / 64, ozp, out_signed};
          const int32_t lo = out_signed ? -128 : 0;
          const int32_t qmin = k % 4 == 0 ? std::max(lo, ozp - 50) : lo, qmax = lo + 255;
          uint8_t table[256];
          wasmq::build_lut(in, out, qmin, qmax, wasmq::lut_activation(act), table);
          for (int byte = 0; byte < 256; ++byte) {
            const int32_t q = in_signed ? static_cast<int8_t>(byte) : byte;
            const float x = in.scale * static_cast<float>(q - in.zero_point);
            float e = std::nearbyint(ref_f(act, x) / out.scale) + static_cast<float>(ozp);
            e = std::min(std::max(e, static_cast<float>(qmin)), static_cast<float>(qmax));
            const int32_t got = out_signed ? static_cast<int8_t>(table[byte]) : table[byte];
            INFO("activation " << static_cast<int>(act) << " in zp " << in.zero_point << " signed " << in_signed
                               << " out zp " << ozp << " signed " << out_signed << " q=" << q << " x=" << x);
            REQUIRE(std::fabs(static_cast<float>(got) - e) <= 1.0f);
            REQUIRE(got >= qmin);
            REQUIRE(got <= qmax);
          }
        }
      }
    }
  }
}

TEST_CASE("lut builder: exact small cases and errors", "[kernels][lut]") {
  uint8_t table[256];
  // relu with identical quantization on both sides is max(q, zp).
  const wasmq::LutQuant q{0.1f, -5, true};
  wasmq::build_lut(q, q, wasmq::lut_activation(wasmq::LutActivation::kRelu), table);
  for (int b = 0; b < 256; ++b) {
    const int32_t v = static_cast<int8_t>(b);
    REQUIRE(static_cast<int8_t>(table[b]) == std::max(v, -5));
  }
  REQUIRE_THROWS_AS(wasmq::build_lut({0.0f, 0, true}, q, wasmq::lut_activation(wasmq::LutActivation::kRelu), table),
                    wasmq::Error);
  REQUIRE_THROWS_AS(wasmq::build_lut({0.1f, 300, false}, q, wasmq::lut_activation(wasmq::LutActivation::kRelu), table),
                    wasmq::Error);
  REQUIRE_THROWS_AS(wasmq::build_lut(q, q, [](double) { return std::nan(""); }, table), wasmq::Error);
}

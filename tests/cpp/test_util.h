// Test helpers: reproducible seeds (WASMQ_SEED overrides, printed on failure) and data makers.
#pragma once

#include <catch.hpp>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "common/rng.h"

namespace wasmq_test {

// The seed for a test: WASMQ_SEED from the environment, else a fixed default. INFO prints it.
inline uint64_t test_seed(uint64_t salt = 0) {
  static const uint64_t base = [] {
    const char* s = std::getenv("WASMQ_SEED");
    return s ? std::strtoull(s, nullptr, 10) : uint64_t{20261125};
  }();
  return base + salt;
}

inline std::vector<float> normal(size_t n, uint64_t seed, float mean = 0.0f, float stddev = 1.0f) {
  wasmq::Rng rng(seed);
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) {
    const double u1 = 1.0 - rng.uniform(), u2 = rng.uniform();
    v[i] = mean + stddev * static_cast<float>(std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2));
  }
  return v;
}

inline std::vector<float> uniform(size_t n, uint64_t seed, float lo, float hi) {
  wasmq::Rng rng(seed);
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = lo + (hi - lo) * static_cast<float>(rng.uniform());
  return v;
}

inline std::vector<int8_t> random_int8(size_t n, uint64_t seed, int lo = -128, int hi = 127) {
  wasmq::Rng rng(seed);
  std::vector<int8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<int8_t>(lo + static_cast<int>(rng.below(static_cast<uint64_t>(hi - lo + 1))));
  return v;
}

}  // namespace wasmq_test

#define WASMQ_SEED_INFO(seed) INFO("seed = " << (seed) << " (rerun with WASMQ_SEED)")

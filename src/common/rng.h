// Counter-based random numbers (splitmix64): the value for element i depends only on (seed, i),
// so results do not depend on SIMD width, chunking or thread count.
#pragma once

#include <cstdint>

namespace wasmq {

inline uint64_t splitmix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// Uniform float in [0, 1) with 24 random bits, for element `index` of stream `seed`.
inline float uniform_at(uint64_t seed, uint64_t index) {
  const uint64_t h = splitmix64(seed * 0xD1B54A32D192ED03ull + index);
  return static_cast<float>(h >> 40) * (1.0f / 16777216.0f);
}

// Sequential generator for algorithms that draw many numbers (k-means++ seeding, test data).
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t next() { return splitmix64(state_++); }
  double uniform() { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); }
  uint64_t below(uint64_t n) { return n == 0 ? 0 : next() % n; }

 private:
  uint64_t state_;
};

}  // namespace wasmq

// Parameter checks shared by the int8/uint8 kernels: zero points and output clamps must lie in the
// code range of the type (the SIMD paths rely on it: int16 centring, saturating narrows).
#pragma once

#include <cstdint>
#include <limits>
#include <string>

#include "common/error.h"

namespace wasmq {

template <typename T>
inline void check_code(int32_t v, const char* what) {
  const int32_t lo = std::numeric_limits<T>::min(), hi = std::numeric_limits<T>::max();
  WASMQ_CHECK(v >= lo && v <= hi, std::string(what) + " " + std::to_string(v) + " is outside [" + std::to_string(lo) +
                                      ", " + std::to_string(hi) + "]");
}

template <typename T>
inline void check_clamp(int32_t qmin, int32_t qmax, const char* what) {
  check_code<T>(qmin, what);
  check_code<T>(qmax, what);
  WASMQ_CHECK(qmin <= qmax, std::string(what) + ": qmin > qmax");
}

}  // namespace wasmq

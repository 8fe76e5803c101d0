// Quantized depthwise-convolution parameter checks shared by the scalar and SIMD kernels (by dtype).
#pragma once

#include <cstdint>
#include <string>
#include <type_traits>

#include "common/error.h"
#include "kernels/dwconv/dwconv.h"
#include "kernels/elementwise/qcheck.h"

namespace wasmq {
namespace dwconv_detail {

// Zero points and the clamp in the code range of their type; int16 input only with zero point 0
// (x - zp must fit the int16 lanes of the SIMD kernels).
template <typename TIn, typename TOut>
inline void check_qparams(const QDwconvParams& p) {
  if constexpr (std::is_same<TIn, int16_t>::value) {
    WASMQ_CHECK(p.input_zero_point == 0, "dwconv: int16 input needs input zero point 0 (got " +
                                             std::to_string(p.input_zero_point) + ")");
  } else {
    check_code<TIn>(p.input_zero_point, "dwconv input zero point");
  }
  check_code<TOut>(p.output_zero_point, "dwconv output zero point");
  check_clamp<TOut>(p.qmin, p.qmax, "dwconv output clamp");
}

}  // namespace dwconv_detail
}  // namespace wasmq

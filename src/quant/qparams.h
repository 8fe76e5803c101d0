// Scale and zero point from a real range: the one definition every quantizer and observer uses.
#pragma once

#include <cstdint>

#include "quant/types.h"

namespace wasmq {

struct QParams {
  float scale = 1.0f;
  int32_t zero_point = 0;
};

// Affine: rmin' = min(0, rmin), rmax' = max(0, rmax), scale = (rmax' - rmin') / (qmax - qmin) in
// float32, zero point = qmin - rmin' / scale rounded half to even, clamped to [qmin, qmax].
// Symmetric: scale = max(|rmin|, |rmax|) / qmax_restricted, zero point 0 (2^(bits-1) if unsigned).
// Log2 uses scale = max(|rmin|, |rmax|) (the largest level) and zero point 0.
// An all-zero range (or one whose scale underflows to 0) gives scale 1 and the scheme's zero point
// for 0 (0 for affine). Non-finite ranges throw wasmq::Error.
QParams qparams_from_range(float rmin, float rmax, DType dtype, Scheme scheme);


}  // namespace wasmq

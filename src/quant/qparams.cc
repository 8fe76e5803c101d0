// qparams_from_range: the range -> (scale, zero point) rule written in docs/quantization.md.
#include "quant/qparams.h"

#include <algorithm>
#include <cmath>

#include "common/error.h"

namespace wasmq {

QParams qparams_from_range(float rmin, float rmax, DType dtype, Scheme scheme) {
  WASMQ_CHECK(std::isfinite(rmin) && std::isfinite(rmax), "range must be finite");
  WASMQ_CHECK(rmin <= rmax, "range has rmin > rmax");
  const DTypeInfo info = dtype_info(dtype);
  WASMQ_CHECK(!info.is_float, "float16/bfloat16 have no scale or zero point");
  const QRange q = scheme_range(dtype, scheme);
  QParams p;
  if (scheme == Scheme::kAffine) {
    rmin = std::min(0.0f, rmin);
    rmax = std::max(0.0f, rmax);
    const float scale = (rmax - rmin) / static_cast<float>(q.qmax - q.qmin);
    WASMQ_CHECK(std::isfinite(scale), "range is too wide for float32 (rmax - rmin overflows)");
    if (!(scale > 0.0f)) return p;  // all-zero range: scale 1, zero point 0
    const float zp = std::nearbyint(static_cast<float>(q.qmin) - rmin / scale);
    p.scale = scale;
    p.zero_point = static_cast<int32_t>(std::min(std::max(zp, static_cast<float>(q.qmin)),
                                                 static_cast<float>(q.qmax)));
    return p;
  }
  const float amax = std::max(std::fabs(rmin), std::fabs(rmax));
  p.zero_point = info.is_signed ? 0 : (q.qmax + q.qmin) / 2;
  if (scheme == Scheme::kLog2) {
    p.scale = amax > 0.0f ? amax : 1.0f;
    p.zero_point = 0;
    return p;
  }
  const float scale = amax / static_cast<float>(q.qmax - p.zero_point);
  p.scale = scale > 0.0f ? scale : 1.0f;
  return p;
}

}  // namespace wasmq

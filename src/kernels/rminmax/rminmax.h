// Min/max reduction of a float array that also reports whether every value is finite: the range
// pass of min-max calibration and the NaN/Inf check of quantize(), fused into one read.
#pragma once

#include <cstddef>

namespace wasmq {

// For n >= 1: *min / *max receive the extremes of the finite values seen; returns false if any
// value is NaN or +-Inf (then min/max are unspecified). Never reads past x[n-1].
typedef bool (*f32_rminmax_fn)(size_t n, const float* x, float* min, float* max);

bool f32_rminmax__scalar(size_t n, const float* x, float* min, float* max);
#if defined(WASMQ_HAVE_WASMSIMD)
bool f32_rminmax__wasmsimd_x16(size_t n, const float* x, float* min, float* max);
#endif

f32_rminmax_fn f32_rminmax_best();

}  // namespace wasmq

// Error metrics between a reference tensor and its approximation (MSE, max error, SQNR, cosine).
#pragma once

#include <cstddef>

namespace wasmq {

struct ErrorMetrics {
  double mse = 0.0;
  double max_abs_error = 0.0;
  double sqnr_db = 0.0;  // 10 log10(sum x^2 / sum (x - y)^2); +Inf when the error is 0
  double cosine = 0.0;   // 1 when both are all-zero
};

// Throws wasmq::Error on n == 0 or non-finite values.
ErrorMetrics compute_metrics(const float* reference, const float* approx, size_t n);

}  // namespace wasmq

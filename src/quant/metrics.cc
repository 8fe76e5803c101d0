// Error metrics, accumulated in double.
#include "quant/metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "common/error.h"

namespace wasmq {

ErrorMetrics compute_metrics(const float* x, const float* y, size_t n) {
  WASMQ_CHECK(n > 0, "metrics need at least one value");
  double err2 = 0.0, sig2 = 0.0, app2 = 0.0, dot = 0.0, maxe = 0.0;
  for (size_t i = 0; i < n; ++i) {
    WASMQ_CHECK(std::isfinite(x[i]) && std::isfinite(y[i]), "metrics: NaN or Inf at index " + std::to_string(i));
    const double a = x[i], b = y[i], d = a - b;
    err2 += d * d;
    sig2 += a * a;
    app2 += b * b;
    dot += a * b;
    maxe = std::max(maxe, std::fabs(d));
  }
  ErrorMetrics m;
  m.mse = err2 / static_cast<double>(n);
  m.max_abs_error = maxe;
  const double inf = std::numeric_limits<double>::infinity();
  m.sqnr_db = err2 == 0.0 ? inf : (sig2 == 0.0 ? -inf : 10.0 * std::log10(sig2 / err2));
  if (sig2 == 0.0 && app2 == 0.0) {
    m.cosine = 1.0;
  } else if (sig2 == 0.0 || app2 == 0.0) {
    m.cosine = 0.0;
  } else {
    m.cosine = dot / (std::sqrt(sig2) * std::sqrt(app2));
  }
  return m;
}

}  // namespace wasmq

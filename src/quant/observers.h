// Calibration observers: streaming range estimators (min-max, moving average, percentile, MSE,
// entropy/KL) with bounded memory, whatever the number of batches observed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "quant/qparams.h"
#include "quant/types.h"

namespace wasmq {

struct ObserverOptions {
  int bins = 2048;                  // histogram bins (percentile, mse, entropy)
  double percentile = 99.99;        // percentile: keep this share of values inside the range
  float averaging_constant = 0.01f; // moving-average: weight of each new batch's min/max
};

struct Range {
  float min = 0.0f;
  float max = 0.0f;
};

class Observer {
 public:
  virtual ~Observer() = default;
  // Throws wasmq::Error on NaN/Inf. An empty batch is ignored.
  virtual void observe(const float* x, size_t n) = 0;
  // The clipping range this observer selects for a target dtype and scheme.
  virtual Range range(DType dtype, Scheme scheme) const = 0;
  QParams qparams(DType dtype, Scheme scheme) const;
  size_t count() const { return count_; }

 protected:
  void check_ready() const;
  size_t count_ = 0;
};

std::unique_ptr<Observer> make_observer(Calibration kind, const ObserverOptions& options = {});

// Several observers fed the same data, so one calibration pass can offer each one's range (a
// quantizer trying calibrations, e.g. quantizeModel's 'auto'). range() is the selected kind's.
class Histogram;

class MultiObserver final : public Observer {
 public:
  MultiObserver(const std::vector<Calibration>& kinds, const ObserverOptions& options = {});
  void observe(const float* x, size_t n) override;
  Range range(DType dtype, Scheme scheme) const override;
  void select(Calibration kind);  // throws unless kind is one of the constructor's
  Calibration selected() const { return kinds_[selected_]; }

 private:
  std::vector<Calibration> kinds_;
  std::vector<std::unique_ptr<Observer>> obs_;
  std::shared_ptr<Histogram> hist_;  // the one histogram the observers read
  size_t selected_ = 0;
};

// Histogram over a range that doubles (merging bin pairs) when new data falls outside it, so bin
// edges stay aligned and memory stays `bins` counters. Exposed for tests.
class Histogram {
 public:
  explicit Histogram(int bins);
  void add(const float* x, size_t n);
  bool empty() const { return total_ == 0; }
  double total() const { return total_; }
  float lo() const { return lo_; }
  float width() const { return width_; }  // bin width
  const std::vector<double>& counts() const { return counts_; }
  float min_seen() const { return min_; }
  float max_seen() const { return max_; }
  // Value below which a fraction q of the observed values lies (linear inside a bin).
  float quantile(double q) const;
  // Count of values with |x| <= t (linear inside bins).
  double abs_cdf(float t) const;

 private:
  void grow_to(float lo, float hi);
  int bins_;
  std::vector<double> counts_;
  float lo_ = 0.0f;
  float width_ = 0.0f;
  float min_ = 0.0f, max_ = 0.0f;
  double total_ = 0.0;
};

}  // namespace wasmq

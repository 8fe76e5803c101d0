// Calibration observers and the self-extending histogram they share.
#include "quant/observers.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "common/error.h"

namespace wasmq {
namespace {

void batch_min_max(const float* x, size_t n, float* mn, float* mx) {
  float lo = x[0], hi = x[0];
  for (size_t i = 0; i < n; ++i) {
    WASMQ_CHECK(std::isfinite(x[i]), "calibration data contains NaN or Inf at index " + std::to_string(i));
    lo = std::min(lo, x[i]);
    hi = std::max(hi, x[i]);
  }
  *mn = lo;
  *mx = hi;
}

// Number of levels on one side of zero that the KL search distributes |x| over.
int kl_levels(DType dtype, Scheme scheme, bool nonnegative) {
  const QRange q = scheme_range(dtype, scheme);
  const int span = q.qmax - q.qmin + 1;
  return (nonnegative && scheme == Scheme::kAffine) ? span : (span + 1) / 2;
}

class MinMaxObserver final : public Observer {
 public:
  MinMaxObserver() = default;
  // On a histogram that MultiObserver feeds: its min/max seen are exactly the batches' min/max.
  explicit MinMaxObserver(std::shared_ptr<const Histogram> shared) : shared_(std::move(shared)) {}
  void observe(const float* x, size_t n) override {
    if (n == 0) return;
    if (shared_) {
      count_ += n;
      return;
    }
    float lo, hi;
    batch_min_max(x, n, &lo, &hi);
    min_ = count_ ? std::min(min_, lo) : lo;
    max_ = count_ ? std::max(max_, hi) : hi;
    count_ += n;
  }
  Range range(DType, Scheme) const override {
    check_ready();
    if (shared_) return {shared_->min_seen(), shared_->max_seen()};
    return {min_, max_};
  }

 private:
  std::shared_ptr<const Histogram> shared_;
  float min_ = 0.0f, max_ = 0.0f;
};

class MovingAverageObserver final : public Observer {
 public:
  explicit MovingAverageObserver(float c) : c_(c) {
    WASMQ_CHECK(c > 0.0f && c <= 1.0f, "averagingConstant must be in (0, 1]");
  }
  void observe(const float* x, size_t n) override {
    if (n == 0) return;
    float lo, hi;
    batch_min_max(x, n, &lo, &hi);
    if (count_ == 0) {
      min_ = lo;
      max_ = hi;
    } else {
      min_ = min_ + c_ * (lo - min_);
      max_ = max_ + c_ * (hi - max_);
    }
    count_ += n;
  }
  Range range(DType, Scheme) const override {
    check_ready();
    return {min_, max_};
  }

 private:
  float c_;
  float min_ = 0.0f, max_ = 0.0f;
};

// Feeds its own histogram, or reads one that MultiObserver feeds once for all its observers.
class HistogramObserver : public Observer {
 public:
  HistogramObserver(std::shared_ptr<Histogram> h, bool feeds) : hist_ptr_(std::move(h)), feeds_(feeds), hist_(*hist_ptr_) {}
  void observe(const float* x, size_t n) override {
    if (n == 0) return;
    if (feeds_) hist_ptr_->add(x, n);
    count_ += n;
  }

 private:
  std::shared_ptr<Histogram> hist_ptr_;
  bool feeds_;

 protected:
  float abs_max() const { return std::max(std::fabs(hist_.min_seen()), std::fabs(hist_.max_seen())); }
  const Histogram& hist_;
};

class PercentileObserver final : public HistogramObserver {
 public:
  PercentileObserver(std::shared_ptr<Histogram> h, bool feeds, double percentile) : HistogramObserver(std::move(h), feeds), p_(percentile / 100.0) {
    WASMQ_CHECK(percentile > 50.0 && percentile <= 100.0, "percentile must be in (50, 100]");
  }
  Range range(DType, Scheme scheme) const override {
    check_ready();
    // Affine: cut (1 - p) / 2 from each tail, so a share p of the values stays inside.
    if (scheme == Scheme::kAffine) return {hist_.quantile(0.5 * (1.0 - p_)), hist_.quantile(0.5 * (1.0 + p_))};
    // Symmetric schemes clip |x|: find t with a share p of |x| <= t by bisection on the CDF.
    const double target = p_ * hist_.total();
    double lo = 0.0, hi = abs_max();
    for (int it = 0; it < 64; ++it) {
      const double mid = 0.5 * (lo + hi);
      (hist_.abs_cdf(static_cast<float>(mid)) >= target ? hi : lo) = mid;
    }
    const float t = static_cast<float>(hi);
    return {-t, t};
  }

 private:
  double p_;
};

class MseObserver final : public HistogramObserver {
 public:
  MseObserver(std::shared_ptr<Histogram> h, bool feeds) : HistogramObserver(std::move(h), feeds) {}
  Range range(DType dtype, Scheme scheme) const override {
    check_ready();
    const QRange q = scheme_range(dtype, scheme);
    const float full_lo = std::min(0.0f, hist_.min_seen());
    const float full_hi = std::max(0.0f, hist_.max_seen());
    const std::vector<double>& counts = hist_.counts();
    Range best{full_lo, full_hi};
    double best_err = std::numeric_limits<double>::infinity();
    // Shrink the range by alpha in (0, 1]: inside, rounding noise scale^2/12 per value; outside,
    // the squared clipping distance, both evaluated on the histogram's bin centres.
    constexpr int kSteps = 200;
    for (int k = kSteps; k >= 1; --k) {
      const float alpha = static_cast<float>(k) / kSteps;
      Range cand = scheme == Scheme::kAffine
                       ? Range{full_lo * alpha, full_hi * alpha}
                       : Range{-abs_max() * alpha, abs_max() * alpha};
      const QParams p = qparams_from_range(cand.min, cand.max, dtype, scheme);
      const double clip_lo = static_cast<double>(q.qmin - p.zero_point) * p.scale;
      const double clip_hi = static_cast<double>(q.qmax - p.zero_point) * p.scale;
      const double noise = static_cast<double>(p.scale) * p.scale / 12.0;
      double err = 0.0;
      for (size_t b = 0; b < counts.size(); ++b) {
        if (counts[b] == 0.0) continue;
        const double v = hist_.lo() + (b + 0.5) * static_cast<double>(hist_.width());
        const double d = v < clip_lo ? v - clip_lo : (v > clip_hi ? v - clip_hi : 0.0);
        err += counts[b] * (d * d + (d == 0.0 ? noise : 0.0));
      }
      if (err < best_err) {
        best_err = err;
        best = cand;
      }
    }
    return best;
  }
};

class EntropyObserver final : public HistogramObserver {
 public:
  EntropyObserver(std::shared_ptr<Histogram> h, bool feeds, int bins) : HistogramObserver(std::move(h), feeds), bins_(bins) {}
  Range range(DType dtype, Scheme scheme) const override {
    check_ready();
    const float amax = abs_max();
    const bool nonneg = hist_.min_seen() >= 0.0f;
    const int levels = kl_levels(dtype, scheme, nonneg);
    const Range full{hist_.min_seen(), hist_.max_seen()};
    if (amax == 0.0f || levels >= bins_) return full;
    // Too few values for a distribution: KL on a histogram with a value every few bins picks a
    // threshold from sampling gaps (a classifier's 2 logits x 64 batches got [-0.96, 0.96] of
    // [-12, 12]). Below kMinValuesPerBin values per bin on average, keep the observed range.
    if (count_ < kMinValuesPerBin * static_cast<size_t>(bins_)) return full;
    // Histogram of |x| on [0, amax], derived from the signed histogram's CDF.
    const int nb = bins_;
    const double w = static_cast<double>(amax) / nb;
    std::vector<double> h(nb);
    double prev = hist_.abs_cdf(0.0f);
    for (int j = 0; j < nb; ++j) {
      const double cur = hist_.abs_cdf(static_cast<float>((j + 1) * w));
      h[j] = std::max(0.0, cur - prev) + (j == 0 ? prev : 0.0);
      prev = cur;
    }
    double best_kl = std::numeric_limits<double>::infinity();
    int best_i = nb;
    std::vector<double> p(nb), qd(nb);
    double tail = 0.0;
    for (int j = levels; j < nb; ++j) tail += h[j];
    for (int i = levels; i <= nb; ++i) {
      // Reference P: first i bins, outliers folded into the last one.
      for (int j = 0; j < i; ++j) p[j] = h[j];
      p[i - 1] += tail;
      // Candidate Q: the first i bins merged into `levels` groups, spread back over nonzero bins.
      for (int g = 0; g < levels; ++g) {
        const int start = static_cast<int>(static_cast<int64_t>(g) * i / levels);
        const int stop = static_cast<int>(static_cast<int64_t>(g + 1) * i / levels);
        double sum = 0.0;
        int nonzero = 0;
        for (int j = start; j < stop; ++j) {
          sum += h[j];
          nonzero += h[j] != 0.0;
        }
        for (int j = start; j < stop; ++j) qd[j] = (h[j] != 0.0 && nonzero) ? sum / nonzero : 0.0;
      }
      double psum = 0.0, qsum = 0.0;
      for (int j = 0; j < i; ++j) {
        psum += p[j];
        qsum += qd[j];
      }
      double kl = 0.0;
      if (psum > 0.0 && qsum > 0.0) {
        for (int j = 0; j < i; ++j) {
          if (p[j] == 0.0) continue;
          const double pj = p[j] / psum;
          const double qj = qd[j] > 0.0 ? qd[j] / qsum : 1e-12;  // smoothing for empty Q bins
          kl += pj * std::log(pj / qj);
        }
      }
      if (kl < best_kl) {
        best_kl = kl;
        best_i = i;
      }
      if (i < nb) tail -= h[i];
    }
    const float t = static_cast<float>(best_i * w);
    if (scheme == Scheme::kAffine) {
      // One-signed data entirely beyond the threshold (e.g. all of it in [5, 6] with t = 4): the
      // clipped interval would be empty, so keep the full range.
      if (std::max(full.min, -t) > std::min(full.max, t)) return full;
      return {std::max(full.min, -t), std::min(full.max, t)};
    }
    return {-t, t};
  }

 public:
  static constexpr size_t kMinValuesPerBin = 2;

 private:
  int bins_;
};

}  // namespace

void Observer::check_ready() const {
  WASMQ_CHECK(count_ > 0, "observer has seen no data: call observe() with at least one value first");
}

QParams Observer::qparams(DType dtype, Scheme scheme) const {
  WASMQ_CHECK(scheme != Scheme::kKMeans, "scheme 'kmeans' has a codebook, not a scale: use quantize()");
  WASMQ_CHECK(!dtype_info(dtype).is_float, "float16/bfloat16 need no calibration");
  const Range r = range(dtype, scheme);
  return qparams_from_range(r.min, r.max, dtype, scheme);
}

namespace {
void check_bins(const ObserverOptions& o) {
  WASMQ_CHECK(o.bins >= 16 && o.bins <= (1 << 20) && o.bins % 2 == 0, "bins must be an even number in [16, 1048576]");
}

// shared: a histogram MultiObserver feeds, or null for an observer that feeds its own.
std::unique_ptr<Observer> make_observer_on(Calibration kind, const ObserverOptions& o, const std::shared_ptr<Histogram>& shared) {
  check_bins(o);
  const bool feeds = shared == nullptr;
  auto hist = [&] { return shared ? shared : std::make_shared<Histogram>(o.bins); };
  switch (kind) {
    case Calibration::kMinMax: return shared ? std::make_unique<MinMaxObserver>(shared) : std::make_unique<MinMaxObserver>();
    case Calibration::kMovingAverage: return std::make_unique<MovingAverageObserver>(o.averaging_constant);
    case Calibration::kPercentile: return std::make_unique<PercentileObserver>(hist(), feeds, o.percentile);
    case Calibration::kMse: return std::make_unique<MseObserver>(hist(), feeds);
    case Calibration::kEntropy: return std::make_unique<EntropyObserver>(hist(), feeds, o.bins);
  }
  fail("unknown calibration");
}
}  // namespace

std::unique_ptr<Observer> make_observer(Calibration kind, const ObserverOptions& o) { return make_observer_on(kind, o, nullptr); }

// ---- Histogram ----

Histogram::Histogram(int bins) : bins_(bins), counts_(static_cast<size_t>(bins), 0.0) {}

void Histogram::add(const float* x, size_t n) {
  if (n == 0) return;
  float bmin, bmax;
  batch_min_max(x, n, &bmin, &bmax);
  if (total_ == 0.0) {
    lo_ = bmin;
    width_ = (bmax - bmin) / static_cast<float>(bins_);
    if (!(width_ > 0.0f)) width_ = std::max(std::fabs(bmin), 1e-30f) / static_cast<float>(bins_);
    // Nudge so that bmax lands strictly inside the last bin.
    while (lo_ + width_ * static_cast<float>(bins_) <= bmax) width_ = std::nextafter(width_, INFINITY);
    min_ = bmin;
    max_ = bmax;
  } else {
    grow_to(bmin, bmax);
    min_ = std::min(min_, bmin);
    max_ = std::max(max_, bmax);
  }
  const double lo = lo_, inv = 1.0 / static_cast<double>(width_);
  for (size_t i = 0; i < n; ++i) {
    int b = static_cast<int>((static_cast<double>(x[i]) - lo) * inv);
    b = std::min(std::max(b, 0), bins_ - 1);
    counts_[static_cast<size_t>(b)] += 1.0;
  }
  total_ += static_cast<double>(n);
}

void Histogram::grow_to(float lo, float hi) {
  for (int guard = 0; guard < 600; ++guard) {
    const float span = width_ * static_cast<float>(bins_);
    const bool below = lo < lo_;
    const bool above = hi >= lo_ + span;
    if (!below && !above) return;
    std::vector<double> merged(counts_.size(), 0.0);
    const int half = bins_ / 2;
    const int offset = below ? half : 0;  // growing downwards keeps the old data in the top half
    for (int j = 0; j < half; ++j) merged[static_cast<size_t>(offset + j)] = counts_[2 * j] + counts_[2 * j + 1];
    counts_.swap(merged);
    if (below) lo_ -= span;
    width_ *= 2.0f;
  }
  fail("histogram range cannot cover the observed values");
}

float Histogram::quantile(double q) const {
  const double target = q * total_;
  double cum = 0.0;
  float v = max_;
  for (int b = 0; b < bins_; ++b) {
    const double c = counts_[static_cast<size_t>(b)];
    if (c > 0.0 && cum + c >= target) {
      v = static_cast<float>(lo_ + (b + (target - cum) / c) * static_cast<double>(width_));
      break;
    }
    cum += c;
  }
  return std::min(std::max(v, min_), max_);
}

double Histogram::abs_cdf(float t) const {
  // cdf(v): count of values <= v, linear inside the bin holding v.
  auto cdf = [&](double v) {
    if (v < min_) return 0.0;
    if (v >= max_) return total_;
    const double pos = (v - lo_) / static_cast<double>(width_);
    if (pos <= 0.0) return 0.0;
    if (pos >= bins_) return total_;
    const int b = static_cast<int>(pos);
    double cum = 0.0;
    for (int j = 0; j < b; ++j) cum += counts_[static_cast<size_t>(j)];
    return cum + counts_[static_cast<size_t>(b)] * (pos - b);
  };
  if (t < 0.0f) return 0.0;
  return cdf(t) - cdf(-static_cast<double>(t));
}

MultiObserver::MultiObserver(const std::vector<Calibration>& kinds, const ObserverOptions& options) : kinds_(kinds) {
  WASMQ_CHECK(!kinds_.empty(), "MultiObserver needs at least one calibration");
  // Min-max, percentile, mse and entropy all read one histogram, filled once per batch: the
  // same bins as each one's own (same options), so the same ranges, at the cost of one.
  check_bins(options);
  hist_ = std::make_shared<Histogram>(options.bins);
  for (Calibration k : kinds_) obs_.push_back(make_observer_on(k, options, k == Calibration::kMovingAverage ? nullptr : hist_));
}

void MultiObserver::observe(const float* x, size_t n) {
  if (n == 0) return;
  hist_->add(x, n);  // checks for NaN/Inf
  for (auto& o : obs_) o->observe(x, n);
  count_ += n;
}

Range MultiObserver::range(DType dtype, Scheme scheme) const { return obs_[selected_]->range(dtype, scheme); }

void MultiObserver::select(Calibration kind) {
  for (size_t i = 0; i < kinds_.size(); ++i) {
    if (kinds_[i] == kind) {
      selected_ = i;
      return;
    }
  }
  fail(std::string("MultiObserver: calibration '") + name_of(kind) + "' was not observed");
}

}  // namespace wasmq

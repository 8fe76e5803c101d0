// Properties and exact semantics of quantize()/dequantize() for every dtype, scheme, granularity.
#include <catch.hpp>

#include <cmath>
#include <limits>
#include <string>

#include "quant_reference.h"
#include "test_util.h"
#include "wasmq.h"

using namespace wasmq;
using wasmq_test::code_at;

namespace {

std::vector<float> dequantized(const QuantizedTensor& q) {
  std::vector<float> y(q.numel());
  dequantize(q, y.data());
  return y;
}

QuantizeOptions opts(DType d, Scheme s, Granularity g = Granularity::kTensor, std::vector<int64_t> shape = {},
                     int axis = 0, int64_t block = 0) {
  QuantizeOptions o;
  o.dtype = d;
  o.scheme = s;
  o.granularity = g;
  o.shape = std::move(shape);
  o.axis = axis;
  o.block_size = block;
  return o;
}

const DType kIntTypes[] = {DType::kInt8, DType::kUInt8, DType::kInt16, DType::kInt4, DType::kUInt4};

// Checks scale, zero point and every code against the written rule, with the oracle's own groups.
void check_exact_semantics(const std::vector<float>& x, const QuantizeOptions& o) {
  const QuantizedTensor q = quantize(x.data(), x.size(), o);
  const std::vector<int64_t> shape = o.shape.empty() ? std::vector<int64_t>{static_cast<int64_t>(x.size())} : o.shape;
  const auto groups = wasmq_test::reference_groups(shape, o.granularity, o.axis, o.block_size);
  REQUIRE(q.scale.size() == groups.members.size());
  const DTypeInfo info = dtype_info(o.dtype);
  const int32_t half = (1 << (info.bits - 1)) - 1;
  for (size_t g = 0; g < groups.members.size(); ++g) {
    float mn = x[groups.members[g][0]], mx = mn;
    for (size_t i : groups.members[g]) {
      mn = std::min(mn, x[i]);
      mx = std::max(mx, x[i]);
    }
    float scale;
    int32_t zp;
    int32_t qmin = info.qmin, qmax = info.qmax;
    if (o.scheme == Scheme::kAffine) {
      const float rmin = std::min(0.0f, mn), rmax = std::max(0.0f, mx);
      scale = (rmax - rmin) / static_cast<float>(info.qmax - info.qmin);
      zp = static_cast<int32_t>(std::nearbyint(static_cast<float>(info.qmin) - rmin / scale));
      zp = std::min(std::max(zp, info.qmin), info.qmax);
      if (!(scale > 0.0f)) {
        scale = 1.0f;
        zp = 0;
      }
    } else {
      const float amax = std::max(std::fabs(mn), std::fabs(mx));
      zp = info.is_signed ? 0 : half + 1;
      qmin = info.is_signed ? -half : 1;
      qmax = info.is_signed ? half : 2 * half + 1;
      scale = amax / static_cast<float>(half);
      if (!(scale > 0.0f)) scale = 1.0f;
    }
    INFO("group " << g << " min " << mn << " max " << mx);
    REQUIRE(q.scale[g] == scale);
    REQUIRE(q.zero_point[g] == zp);
    for (size_t i : groups.members[g]) {
      const double t = std::nearbyint(static_cast<double>(x[i] / scale)) + zp;  // float32 division, as specified
      const int32_t want = static_cast<int32_t>(std::min<double>(std::max<double>(t, qmin), qmax));
      INFO("element " << i << " x = " << x[i]);
      REQUIRE(code_at(q, i) == want);
    }
  }
}

}  // namespace

TEST_CASE("qparams follow the written min-max rule", "[quant]") {
  SECTION("affine int8") {
    const QParams p = qparams_from_range(-1.0f, 3.0f, DType::kInt8, Scheme::kAffine);
    REQUIRE(p.scale == 4.0f / 255.0f);
    REQUIRE(p.zero_point == static_cast<int32_t>(std::nearbyint(-128.0f - (-1.0f) / (4.0f / 255.0f))));
  }
  SECTION("range always includes zero") {
    const QParams p = qparams_from_range(2.0f, 5.0f, DType::kUInt8, Scheme::kAffine);
    REQUIRE(p.scale == 5.0f / 255.0f);
    REQUIRE(p.zero_point == 0);
    const QParams n = qparams_from_range(-5.0f, -2.0f, DType::kUInt8, Scheme::kAffine);
    REQUIRE(n.zero_point == 255);
  }
  SECTION("symmetric ranges") {
    REQUIRE(qparams_from_range(-2.0f, 1.0f, DType::kInt8, Scheme::kSymmetric).scale == 2.0f / 127.0f);
    REQUIRE(qparams_from_range(-2.0f, 1.0f, DType::kInt4, Scheme::kSymmetric).scale == 2.0f / 7.0f);
    const QParams u = qparams_from_range(-2.0f, 1.0f, DType::kUInt8, Scheme::kSymmetric);
    REQUIRE(u.zero_point == 128);
    REQUIRE(u.scale == 2.0f / 127.0f);
    REQUIRE(scheme_range(DType::kInt8, Scheme::kSymmetric).qmin == -127);
    REQUIRE(scheme_range(DType::kInt4, Scheme::kSymmetric).qmin == -7);
  }
  SECTION("all-zero range gives scale 1 and zero point 0") {
    for (DType d : kIntTypes) {
      const QParams p = qparams_from_range(0.0f, 0.0f, d, Scheme::kAffine);
      REQUIRE(p.scale == 1.0f);
      REQUIRE(p.zero_point == 0);
    }
    std::vector<float> zeros(37, 0.0f);
    const QuantizedTensor q = quantize(zeros.data(), zeros.size(), opts(DType::kInt8, Scheme::kAffine));
    REQUIRE(q.scale[0] == 1.0f);
    REQUIRE(q.zero_point[0] == 0);
    for (float v : dequantized(q)) REQUIRE(v == 0.0f);
  }
  SECTION("non-finite or overflowing ranges are errors") {
    REQUIRE_THROWS_AS(qparams_from_range(-INFINITY, 1.0f, DType::kInt8, Scheme::kAffine), Error);
    REQUIRE_THROWS_WITH(qparams_from_range(-3e38f, 3e38f, DType::kInt8, Scheme::kAffine),
                        Catch::Contains("too wide"));
  }
}

TEST_CASE("codes follow ONNX QuantizeLinear exactly for every dtype and scheme", "[quant]") {
  const uint64_t seed = wasmq_test::test_seed(2);
  WASMQ_SEED_INFO(seed);
  const std::vector<float> x = wasmq_test::normal(3 * 5 * 7 * 4, seed, 0.3f, 2.0f);
  for (DType d : kIntTypes) {
    for (Scheme s : {Scheme::kAffine, Scheme::kSymmetric}) {
      INFO(name_of(d) << " " << name_of(s));
      check_exact_semantics(x, opts(d, s));
      check_exact_semantics(x, opts(d, s, Granularity::kChannel, {3, 5, 7, 4}, 0));
      check_exact_semantics(x, opts(d, s, Granularity::kChannel, {3, 5, 7, 4}, 2));
      check_exact_semantics(x, opts(d, s, Granularity::kChannel, {3, 5, 7, 4}, -1));  // inner == 1: varying spans
      check_exact_semantics(x, opts(d, s, Granularity::kBlock, {3, 5, 7, 4}, 3, 3));  // last axis, partial block
      check_exact_semantics(x, opts(d, s, Granularity::kBlock, {3, 5, 7, 4}, 1, 2));  // inner > 1
      check_exact_semantics(x, opts(d, s, Granularity::kBlock, {3, 5, 7, 4}, 2, 7));  // one block per row
    }
  }
}

TEST_CASE("round trip error is at most scale/2 inside the range", "[quant]") {
  const uint64_t seed = wasmq_test::test_seed(3);
  WASMQ_SEED_INFO(seed);
  const std::vector<float> x = wasmq_test::uniform(4096, seed, -3.0f, 5.0f);
  for (DType d : kIntTypes) {
    for (Scheme s : {Scheme::kAffine, Scheme::kSymmetric}) {
      for (Granularity g : {Granularity::kTensor, Granularity::kChannel, Granularity::kBlock}) {
        INFO(name_of(d) << " " << name_of(s) << " " << name_of(g));
        const QuantizedTensor q = quantize(x.data(), x.size(), opts(d, s, g, {64, 64}, 1, 32));
        const std::vector<float> y = dequantized(q);
        const auto groups = wasmq_test::reference_groups({64, 64}, g, 1, 32);
        for (size_t gi = 0; gi < groups.members.size(); ++gi) {
          for (size_t i : groups.members[gi]) {
            // Rounding error of x / scale (<= 0.5 ulp) plus the half step.
            REQUIRE(std::fabs(x[i] - y[i]) <= q.scale[gi] * 0.5f * (1.0f + 1e-5f) + 1e-6f);
          }
        }
      }
    }
  }
}

TEST_CASE("zero is exactly representable", "[quant]") {
  const uint64_t seed = wasmq_test::test_seed(4);
  WASMQ_SEED_INFO(seed);
  std::vector<float> x = wasmq_test::uniform(1000, seed, 0.7f, 9.3f);  // range excludes 0
  x[500] = 0.0f;
  for (DType d : kIntTypes) {
    for (Scheme s : {Scheme::kAffine, Scheme::kSymmetric}) {
      const QuantizedTensor q = quantize(x.data(), x.size(), opts(d, s));
      REQUIRE(dequantized(q)[500] == 0.0f);
    }
  }
}

TEST_CASE("rounding is half to even", "[quant]") {
  // amax 127 -> symmetric int8 scale exactly 1, so x / scale = x.
  std::vector<float> x = {127.0f, 0.5f, 1.5f, 2.5f, -0.5f, -1.5f, -2.5f, 3.4999998f, 126.5f, -126.5f};
  const QuantizedTensor q = quantize(x.data(), x.size(), opts(DType::kInt8, Scheme::kSymmetric));
  REQUIRE(q.scale[0] == 1.0f);
  const std::vector<int32_t> want = {127, 0, 2, 2, 0, -2, -2, 3, 126, -126};
  for (size_t i = 0; i < x.size(); ++i) {
    INFO("x = " << x[i]);
    REQUIRE(code_at(q, i) == want[i]);
  }
}

TEST_CASE("values around powers of two and the type limits", "[quant]") {
  // Symmetric int16 with amax = 32767 gives scale 1: codes equal round(x).
  std::vector<float> x = {32767.0f};
  for (int k = 0; k < 15; ++k) {
    const float p = std::ldexp(1.0f, k);
    for (float v : {p - 2.0f, p - 1.0f, p, p + 1.0f, p + 2.0f, std::nextafter(p, 0.0f), std::nextafter(p, 1e9f)}) {
      if (std::fabs(v) <= 32767.0f) {
        x.push_back(v);
        x.push_back(-v);
      }
    }
  }
  const QuantizedTensor q = quantize(x.data(), x.size(), opts(DType::kInt16, Scheme::kSymmetric));
  REQUIRE(q.scale[0] == 1.0f);
  for (size_t i = 0; i < x.size(); ++i) {
    INFO("x = " << x[i]);
    REQUIRE(code_at(q, i) == static_cast<int32_t>(std::nearbyint(x[i])));
  }
  // The extremes land exactly on the type limits.
  for (DType d : kIntTypes) {
    const std::vector<float> ends = {-7.25f, 0.0f, 3.5f};
    const QuantizedTensor qa = quantize(ends.data(), ends.size(), opts(d, Scheme::kAffine));
    const DTypeInfo info = dtype_info(d);
    INFO(name_of(d));
    REQUIRE(code_at(qa, 0) == info.qmin);
    REQUIRE(code_at(qa, 2) == info.qmax);
  }
}

TEST_CASE("codes stay inside the scheme's range", "[quant]") {
  const uint64_t seed = wasmq_test::test_seed(5);
  WASMQ_SEED_INFO(seed);
  const std::vector<float> x = wasmq_test::normal(2000, seed);
  for (DType d : kIntTypes) {
    for (Scheme s : {Scheme::kAffine, Scheme::kSymmetric}) {
      for (Calibration c : {Calibration::kMinMax, Calibration::kPercentile, Calibration::kEntropy}) {
        QuantizeOptions o = opts(d, s);
        o.calibration = c;
        o.observer.percentile = 99.0;
        const QuantizedTensor q = quantize(x.data(), x.size(), o);
        const QRange r = scheme_range(d, s);
        for (size_t i = 0; i < x.size(); ++i) {
          REQUIRE(code_at(q, i) >= r.qmin);
          REQUIRE(code_at(q, i) <= r.qmax);
        }
      }
    }
  }
}

TEST_CASE("int4 packs two codes per byte, first in the low nibble", "[quant]") {
  // symmetric int4, amax 7 -> scale 1: codes are the values themselves.
  const std::vector<float> x = {1.0f, -1.0f, 7.0f, -7.0f, 0.0f, 3.0f, -2.0f};
  const QuantizedTensor q = quantize(x.data(), x.size(), opts(DType::kInt4, Scheme::kSymmetric));
  REQUIRE(q.data.size() == 4);
  REQUIRE(q.data[0] == 0xF1);  // 1 | (-1 & 0xF) << 4
  REQUIRE(q.data[1] == 0x97);  // 7 | (-7 & 0xF) << 4
  REQUIRE(q.data[2] == 0x30);  // 0 | 3 << 4
  REQUIRE(q.data[3] == 0x0E);  // -2, high nibble 0 for the odd tail
  REQUIRE(dequantized(q) == x);
  const std::vector<float> u = {0.0f, 15.0f, 1.0f};
  const QuantizedTensor qu = quantize(u.data(), u.size(), opts(DType::kUInt4, Scheme::kAffine));
  REQUIRE(qu.data.size() == 2);
  REQUIRE(qu.data[0] == 0xF0);
  REQUIRE(qu.data[1] == 0x01);
}

TEST_CASE("stochastic rounding is unbiased and reproducible", "[quant]") {
  std::vector<float> x(20001, 0.3f);
  x[0] = 127.0f;  // symmetric int8 scale 1
  QuantizeOptions o = opts(DType::kInt8, Scheme::kSymmetric);
  o.rounding = Rounding::kStochastic;
  o.seed = wasmq_test::test_seed(6);
  WASMQ_SEED_INFO(o.seed);
  const QuantizedTensor a = quantize(x.data(), x.size(), o);
  const QuantizedTensor b = quantize(x.data(), x.size(), o);
  REQUIRE(a.data == b.data);
  double sum = 0.0;
  for (size_t i = 1; i < x.size(); ++i) {
    const int32_t c = code_at(a, i);
    REQUIRE((c == 0 || c == 1));
    sum += c;
  }
  REQUIRE(std::fabs(sum / 20000.0 - 0.3) < 0.02);
  o.seed += 1;
  REQUIRE(quantize(x.data(), x.size(), o).data != a.data);
}

TEST_CASE("log2 codes are signed powers of two", "[quant]") {
  const uint64_t seed = wasmq_test::test_seed(7);
  WASMQ_SEED_INFO(seed);
  std::vector<float> x = wasmq_test::normal(3000, seed);
  x[0] = 0.0f;
  for (DType d : {DType::kInt8, DType::kInt4, DType::kInt16}) {
    const QuantizedTensor q = quantize(x.data(), x.size(), opts(d, Scheme::kLog2));
    const std::vector<float> y = dequantized(q);
    const float scale = q.scale[0];
    const int32_t qmax = dtype_info(d).qmax;
    REQUIRE(y[0] == 0.0f);
    for (size_t i = 0; i < x.size(); ++i) {
      INFO(name_of(d) << " x = " << x[i] << " y = " << y[i]);
      if (y[i] == 0.0f) {
        // Only values below the geometric midpoint under the smallest level become 0.
        REQUIRE(std::fabs(x[i]) <= scale * std::ldexp(1.0, -(qmax - 1)) * 0.7072);
        continue;
      }
      int e;
      REQUIRE(std::frexp(std::fabs(y[i]) / scale, &e) == 0.5f);  // an exact power of two times scale
      REQUIRE((y[i] > 0) == (x[i] > 0));
      REQUIRE(std::fabs(y[i] - x[i]) <= std::fabs(x[i]) * 0.4143f + 1e-30f);  // log-domain rounding bound
    }
  }
  REQUIRE_THROWS_WITH(quantize(x.data(), x.size(), opts(DType::kUInt8, Scheme::kLog2)), Catch::Contains("signed"));
}

TEST_CASE("kmeans codebooks are deterministic and beat uniform levels on Gaussian data", "[quant]") {
  const uint64_t seed = wasmq_test::test_seed(8);
  WASMQ_SEED_INFO(seed);
  const std::vector<float> x = wasmq_test::normal(20000, seed);
  for (DType d : {DType::kInt4, DType::kInt8}) {
    QuantizeOptions o = opts(d, Scheme::kKMeans);
    o.seed = 42;
    const QuantizedTensor q = quantize(x.data(), x.size(), o);
    REQUIRE(q.dtype == (d == DType::kInt4 ? DType::kUInt4 : DType::kUInt8));
    REQUIRE(q.codebook.size() == (d == DType::kInt4 ? 16u : 256u));
    REQUIRE(std::is_sorted(q.codebook.begin(), q.codebook.end()));
    REQUIRE(quantize(x.data(), x.size(), o).data == q.data);
    const ErrorMetrics km = compute_metrics(x.data(), dequantized(q).data(), x.size());
    const QuantizedTensor u = quantize(x.data(), x.size(), opts(d, Scheme::kAffine));
    const ErrorMetrics af = compute_metrics(x.data(), dequantized(u).data(), x.size());
    INFO(name_of(d) << " kmeans " << km.sqnr_db << " dB, affine " << af.sqnr_db << " dB");
    REQUIRE(km.sqnr_db > af.sqnr_db);
    // Each value maps to its nearest centroid.
    const std::vector<float> y = dequantized(q);
    for (size_t i = 0; i < x.size(); i += 97) {
      for (float c : q.codebook) REQUIRE(std::fabs(x[i] - y[i]) <= std::fabs(x[i] - c));
    }
  }
  // Per-channel codebooks: one per row.
  QuantizeOptions o = opts(DType::kInt4, Scheme::kKMeans, Granularity::kChannel, {100, 200}, 0);
  const QuantizedTensor q = quantize(x.data(), x.size(), o);
  REQUIRE(q.codebook.size() == 100u * 16u);
  REQUIRE(compute_metrics(x.data(), dequantized(q).data(), x.size()).sqnr_db > 19.0);
  // Fewer distinct values than centroids: exact.
  const std::vector<float> few = {1.0f, 2.0f, 1.0f, 3.0f};
  const QuantizedTensor qf = quantize(few.data(), few.size(), opts(DType::kInt4, Scheme::kKMeans));
  REQUIRE(dequantized(qf) == few);
}

TEST_CASE("bad input gives clear errors", "[quant]") {
  std::vector<float> x(12, 1.0f);
  auto bad = [&](QuantizeOptions o, const char* text) {
    INFO(text);
    REQUIRE_THROWS_WITH(quantize(x.data(), x.size(), o), Catch::Contains(text));
  };
  bad(opts(DType::kInt8, Scheme::kAffine, Granularity::kTensor, {5, 2}), "has 10 elements but the data has 12");
  bad(opts(DType::kInt8, Scheme::kAffine, Granularity::kChannel, {3, 4}, 2), "axis 2 is out of range for rank 2");
  bad(opts(DType::kInt8, Scheme::kAffine, Granularity::kChannel, {3, 4}, -3), "axis -3 is out of range");
  bad(opts(DType::kInt8, Scheme::kAffine, Granularity::kBlock, {3, 4}, 1, 0), "blockSize must be a positive integer");
  bad(opts(DType::kInt8, Scheme::kAffine, Granularity::kTensor, {3, -4}), "negative dimension");
  bad(opts(DType::kInt16, Scheme::kKMeans), "not int16");
  x[7] = std::numeric_limits<float>::quiet_NaN();
  bad(opts(DType::kInt8, Scheme::kAffine), "NaN at index 7");
  x[7] = std::numeric_limits<float>::infinity();
  bad(opts(DType::kInt4, Scheme::kKMeans), "Inf at index 7");
  bad(opts(DType::kInt8, Scheme::kLog2), "Inf at index 7");
  REQUIRE_THROWS_WITH(parse_dtype("int3"), Catch::Contains("unknown dtype 'int3'"));
  REQUIRE_THROWS_WITH(parse_scheme("cubic"), Catch::Contains("unknown scheme 'cubic'"));
  REQUIRE_THROWS_WITH(parse_granularity("row"), Catch::Contains("unknown granularity"));
  REQUIRE_THROWS_WITH(parse_calibration("kl"), Catch::Contains("unknown calibration"));
  // Hand-built tensors are validated before dequantizing.
  const std::vector<float> ok = {1.0f, 2.0f};
  QuantizedTensor q = quantize(ok.data(), ok.size(), opts(DType::kInt8, Scheme::kAffine));
  std::vector<float> y(2);
  q.data.push_back(0);
  REQUIRE_THROWS_WITH(dequantize(q, y.data()), Catch::Contains("data has 3 bytes"));
  q.data.pop_back();
  q.zero_point[0] = 300;
  REQUIRE_THROWS_WITH(dequantize(q, y.data()), Catch::Contains("outside the int8 range"));
  q.zero_point[0] = 0;
  q.scale[0] = 0.0f;
  REQUIRE_THROWS_WITH(dequantize(q, y.data()), Catch::Contains("scale[0] must be finite and > 0"));
}

// quantize()/dequantize(): calibration per group, then the scheme's encoder over contiguous spans.
#include "quant/quantize.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "common/error.h"
#include "common/rng.h"
#include "kernels/rminmax/rminmax.h"
#include "kernels/vcvt/vcvt.h"
#include "quant/fp16.h"
#include "quant/kmeans.h"
#include "quant/layout.h"
#include "quant/qparams.h"

namespace wasmq {

GroupLayout make_group_layout(const std::vector<int64_t>& shape, size_t n, Granularity granularity,
                              int* axis, int64_t block_size) {
  int64_t numel = 1;
  std::string dims;
  for (int64_t d : shape) {
    WASMQ_CHECK(d >= 0, "shape has a negative dimension");
    WASMQ_CHECK(d == 0 || numel <= (int64_t{1} << 40) / d, "shape is too large");
    numel *= d;
    dims += (dims.empty() ? "" : ",") + std::to_string(d);
  }
  WASMQ_CHECK(static_cast<size_t>(numel) == n, "shape [" + dims + "] has " + std::to_string(numel) +
                                                   " elements but the data has " + std::to_string(n));
  GroupLayout l;
  l.granularity = granularity;
  if (granularity == Granularity::kTensor) {
    l.channels = numel;
    *axis = 0;
    return l;
  }
  const int rank = static_cast<int>(shape.size());
  WASMQ_CHECK(rank > 0, "per-channel/per-block quantization needs a shape with at least one dimension");
  const int a = *axis < 0 ? *axis + rank : *axis;
  WASMQ_CHECK(a >= 0 && a < rank, "axis " + std::to_string(*axis) + " is out of range for rank " + std::to_string(rank));
  *axis = a;
  for (int i = 0; i < a; ++i) l.outer *= shape[i];
  l.channels = shape[a];
  for (int i = a + 1; i < rank; ++i) l.inner *= shape[i];
  if (granularity == Granularity::kChannel) {
    l.groups = l.channels;
    l.scale_shape = {l.channels};
    return l;
  }
  WASMQ_CHECK(block_size > 0, "blockSize must be a positive integer for granularity 'block' (got " +
                                  std::to_string(block_size) + ")");
  l.block = block_size;
  l.blocks = (l.channels + block_size - 1) / block_size;
  l.groups = l.outer * l.blocks * l.inner;
  l.scale_shape = shape;
  l.scale_shape[a] = l.blocks;
  return l;
}

size_t QuantizedTensor::numel() const {
  size_t n = 1;
  for (int64_t d : shape) n *= static_cast<size_t>(d);
  return n;
}

namespace {

void check_finite(const float* x, size_t n) {
  float lo, hi;
  if (n == 0 || f32_rminmax_best()(n, x, &lo, &hi)) return;
  for (size_t i = 0; i < n; ++i) {
    if (!std::isfinite(x[i])) {
      fail("input contains " + std::string(std::isnan(x[i]) ? "NaN" : "Inf") + " at index " + std::to_string(i) +
           ": integer, log2 and kmeans quantization need finite values");
    }
  }
}

// Per-group clipping ranges. Min-max walks spans without copying; other calibrations gather each
// group and run one observer at a time, so memory stays one group plus one histogram.
std::vector<Range> group_ranges(const float* x, const GroupLayout& l, const QuantizeOptions& o) {
  std::vector<Range> r(static_cast<size_t>(l.groups));
  if (o.calibration == Calibration::kMinMax) {
    std::vector<bool> seen(r.size(), false);
    auto touch = [&](int64_t g, float v) {
      Range& rg = r[static_cast<size_t>(g)];
      if (!seen[static_cast<size_t>(g)]) {
        rg = {v, v};
        seen[static_cast<size_t>(g)] = true;
      } else {
        rg.min = std::min(rg.min, v);
        rg.max = std::max(rg.max, v);
      }
    };
    l.for_each_span([&](int64_t start, int64_t len, int64_t g, bool varying) {
      if (varying) {
        for (int64_t k = 0; k < len; ++k) touch(g + k, x[start + k]);
      } else {
        float lo, hi;
        f32_rminmax_best()(static_cast<size_t>(len), x + start, &lo, &hi);
        touch(g, lo);
        touch(g, hi);
      }
    });
    return r;
  }
  std::vector<float> buf;
  for (int64_t g = 0; g < l.groups; ++g) {
    const float* values = x;
    size_t count = static_cast<size_t>(l.outer * l.channels * l.inner);
    if (l.granularity != Granularity::kTensor) {
      buf.clear();
      l.for_each_element_of(g, [&](int64_t i) { buf.push_back(x[i]); });
      values = buf.data();
      count = buf.size();
    }
    auto obs = make_observer(o.calibration, o.observer);
    obs->observe(values, count);
    r[static_cast<size_t>(g)] = count ? obs->range(o.dtype, o.scheme) : Range{};
  }
  return r;
}

inline float stochastic_code(float x, float scale, float zp, float lo, float hi, uint64_t seed, uint64_t index) {
  float t = std::floor(x / scale + uniform_at(seed, index)) + zp;
  return std::min(std::max(t, lo), hi);
}

// Value of a log2 code: sign(m) * scale * 2^-(qmax - |m|), and 0 for m == 0.
inline float log2_value(int32_t m, int32_t qmax, float scale) {
  if (m == 0) return 0.0f;
  const float v = std::ldexp(scale, -(qmax - std::abs(m)));
  return m < 0 ? -v : v;
}

// Nearest power-of-two level in the log domain: |x|/scale = f * 2^e, f in [0.5, 1); round up to
// 2^e when f >= sqrt(1/2) (the geometric midpoint). Levels below 2^-(qmax-1) become 0.
inline int32_t log2_code(float x, float scale, int32_t qmax) {
  if (x == 0.0f) return 0;
  int e = 0;
  const float f = std::frexp(std::fabs(x) / scale, &e);
  const int k = f >= 0.70710678f ? -e : 1 - e;  // level 2^-k
  if (k >= qmax) return 0;
  const int32_t m = qmax - std::max(k, 0);
  return x < 0.0f ? -m : m;
}

template <typename Code>
void encode_uniform_scalar(const float* x, Code* y, const GroupLayout& l, const std::vector<QuantizeParams>& p,
                           const QuantizeOptions& o) {
  const bool stochastic = o.rounding == Rounding::kStochastic;
  l.for_each_span([&](int64_t start, int64_t len, int64_t g, bool varying) {
    for (int64_t k = 0; k < len; ++k) {
      const QuantizeParams& q = p[static_cast<size_t>(varying ? g + k : g)];
      const int64_t i = start + k;
      float t;
      if (stochastic) {
        t = stochastic_code(x[i], q.scale, q.zero_point, q.qmin, q.qmax, o.seed, static_cast<uint64_t>(i));
      } else {
        t = std::min(std::max(std::nearbyint(x[i] / q.scale) + q.zero_point, q.qmin), q.qmax);
      }
      y[i] = static_cast<Code>(static_cast<int32_t>(t));
    }
  });
}

// int8/uint8 codes (also the unpacked form of int4/uint4) through the SIMD conversion kernels.
void encode_uniform_8bit(const float* x, int8_t* y, bool is_signed, const GroupLayout& l,
                         const std::vector<QuantizeParams>& p) {
  const VcvtConfig& k = vcvt_config();
  l.for_each_span([&](int64_t start, int64_t len, int64_t g, bool varying) {
    for (int64_t j = 0; j < (varying ? len : 1); ++j) {
      const int64_t s = varying ? start + j : start;
      const size_t n = varying ? 1 : static_cast<size_t>(len);
      const QuantizeParams& q = p[static_cast<size_t>(varying ? g + j : g)];
      if (is_signed) {
        k.f32_qs8(n, x + s, y + s, q);
      } else {
        k.f32_qu8(n, x + s, reinterpret_cast<uint8_t*>(y + s), q);
      }
    }
  });
}

void decode_uniform_8bit(const int8_t* codes, float* y, bool is_signed, const GroupLayout& l,
                         const std::vector<float>& scale, const std::vector<int32_t>& zp) {
  const VcvtConfig& k = vcvt_config();
  l.for_each_span([&](int64_t start, int64_t len, int64_t g, bool varying) {
    for (int64_t j = 0; j < (varying ? len : 1); ++j) {
      const int64_t s = varying ? start + j : start;
      const size_t n = varying ? 1 : static_cast<size_t>(len);
      const size_t gi = static_cast<size_t>(varying ? g + j : g);
      const DequantizeParams d{scale[gi], zp[gi]};
      if (is_signed) {
        k.qs8_f32(n, codes + s, y + s, d);
      } else {
        k.qu8_f32(n, reinterpret_cast<const uint8_t*>(codes + s), y + s, d);
      }
    }
  });
}

}  // namespace

QuantizedTensor quantize(const float* x, size_t n, const QuantizeOptions& o) {
  WASMQ_CHECK(x != nullptr || n == 0, "input data is null");
  QuantizedTensor q;
  q.dtype = o.dtype;
  q.scheme = o.scheme;
  q.granularity = o.granularity;
  q.shape = o.shape.empty() ? std::vector<int64_t>{static_cast<int64_t>(n)} : o.shape;
  q.axis = o.axis;
  q.block_size = o.granularity == Granularity::kBlock ? o.block_size : 0;
  const DTypeInfo info = dtype_info(o.dtype);

  if (info.is_float) {
    // float16 / bfloat16: a cast, no scale; NaN and Inf are kept.
    WASMQ_CHECK(o.granularity == Granularity::kTensor, "float16/bfloat16 take no granularity other than 'tensor'");
    make_group_layout(q.shape, n, Granularity::kTensor, &q.axis, 0);
    q.data.resize(n * 2);
    uint16_t* out = reinterpret_cast<uint16_t*>(q.data.data());
    (o.dtype == DType::kFloat16 ? convert_f32_to_f16 : convert_f32_to_bf16)(n, x, out);
    return q;
  }

  const GroupLayout l = make_group_layout(q.shape, n, o.granularity, &q.axis, o.block_size);
  q.scale_shape = l.scale_shape;
  WASMQ_CHECK(o.rounding == Rounding::kNearest || o.scheme == Scheme::kAffine || o.scheme == Scheme::kSymmetric,
              "rounding 'stochastic' applies to the affine and symmetric schemes only");
  WASMQ_CHECK(o.scheme != Scheme::kLog2 || info.is_signed, "scheme 'log2' needs a signed dtype (int4, int8, int16)");
  check_finite(x, n);

  if (o.scheme == Scheme::kKMeans) {
    WASMQ_CHECK(info.bits <= 8, "scheme 'kmeans' supports 4- and 8-bit codes (2^bits centroids), not int16");
    WASMQ_CHECK(o.kmeans_iterations >= 0 && o.kmeans_iterations <= 10000, "kmeans iterations must be in [0, 10000]");
    // Codes are unsigned indices into the codebook.
    q.dtype = info.bits == 4 ? DType::kUInt4 : DType::kUInt8;
    const int K = 1 << info.bits;
    q.codebook.assign(static_cast<size_t>(l.groups * K), 0.0f);
    std::vector<int8_t> codes(n);
    std::vector<float> buf;
    std::vector<int64_t> idx;
    for (int64_t g = 0; g < l.groups; ++g) {
      buf.clear();
      idx.clear();
      l.for_each_element_of(g, [&](int64_t i) {
        buf.push_back(x[i]);
        idx.push_back(i);
      });
      float* book = q.codebook.data() + g * K;
      kmeans_1d(buf.data(), buf.size(), K, o.kmeans_iterations, o.seed + static_cast<uint64_t>(g), book);
      for (size_t j = 0; j < buf.size(); ++j) {
        codes[static_cast<size_t>(idx[j])] = static_cast<int8_t>(kmeans_assign(book, K, buf[j]));
      }
    }
    q.data.resize(storage_bytes(q.dtype, n));
    if (info.bits == 4) {
      vcvt_config().pack4(n, codes.data(), q.data.data());
    } else {
      std::copy(codes.begin(), codes.end(), reinterpret_cast<int8_t*>(q.data.data()));
    }
    return q;
  }

  const std::vector<Range> ranges = group_ranges(x, l, o);
  q.scale.resize(ranges.size());
  q.zero_point.resize(ranges.size());
  std::vector<QuantizeParams> params(ranges.size());
  const QRange qr = scheme_range(o.dtype, o.scheme);
  for (size_t g = 0; g < ranges.size(); ++g) {
    const QParams p = qparams_from_range(ranges[g].min, ranges[g].max, o.dtype, o.scheme);
    q.scale[g] = p.scale;
    q.zero_point[g] = p.zero_point;
    params[g] = {p.scale, static_cast<float>(p.zero_point), static_cast<float>(qr.qmin), static_cast<float>(qr.qmax)};
  }
  q.data.resize(storage_bytes(o.dtype, n));

  if (o.scheme == Scheme::kLog2) {
    std::vector<int32_t> codes(n);
    l.for_each_span([&](int64_t start, int64_t len, int64_t g, bool varying) {
      for (int64_t k = 0; k < len; ++k) {
        codes[static_cast<size_t>(start + k)] =
            log2_code(x[start + k], q.scale[static_cast<size_t>(varying ? g + k : g)], qr.qmax);
      }
    });
    if (info.bits == 16) {
      int16_t* out = reinterpret_cast<int16_t*>(q.data.data());
      for (size_t i = 0; i < n; ++i) out[i] = static_cast<int16_t>(codes[i]);
    } else if (info.bits == 8) {
      int8_t* out = reinterpret_cast<int8_t*>(q.data.data());
      for (size_t i = 0; i < n; ++i) out[i] = static_cast<int8_t>(codes[i]);
    } else {
      std::vector<int8_t> c8(codes.begin(), codes.end());
      vcvt_config().pack4(n, c8.data(), q.data.data());
    }
    return q;
  }

  if (info.bits == 16) {
    encode_uniform_scalar(x, reinterpret_cast<int16_t*>(q.data.data()), l, params, o);
  } else if (o.rounding == Rounding::kStochastic) {
    std::vector<int8_t> codes(n);
    encode_uniform_scalar(x, codes.data(), l, params, o);
    if (info.bits == 4) {
      vcvt_config().pack4(n, codes.data(), q.data.data());
    } else {
      std::copy(codes.begin(), codes.end(), reinterpret_cast<int8_t*>(q.data.data()));
    }
  } else if (info.bits == 8) {
    encode_uniform_8bit(x, reinterpret_cast<int8_t*>(q.data.data()), info.is_signed, l, params);
  } else {
    std::vector<int8_t> codes(n);
    encode_uniform_8bit(x, codes.data(), info.is_signed, l, params);
    vcvt_config().pack4(n, codes.data(), q.data.data());
  }
  return q;
}

void validate(const QuantizedTensor& q) {
  const DTypeInfo info = dtype_info(q.dtype);
  int64_t numel = 1;
  for (int64_t d : q.shape) {
    WASMQ_CHECK(d >= 0 && (d == 0 || numel <= (int64_t{1} << 40) / d), "quantized tensor has an invalid shape");
    numel *= d;
  }
  const size_t n = static_cast<size_t>(numel);
  WASMQ_CHECK(q.data.size() == storage_bytes(q.dtype, n),
              std::string("data has ") + std::to_string(q.data.size()) + " bytes but a " + name_of(q.dtype) +
                  " tensor of " + std::to_string(n) + " elements needs " + std::to_string(storage_bytes(q.dtype, n)));
  if (info.is_float) return;
  int axis = q.axis;
  const GroupLayout l = make_group_layout(q.shape, n, q.granularity, &axis, q.block_size);
  const size_t groups = static_cast<size_t>(l.groups);
  if (q.scheme == Scheme::kKMeans) {
    WASMQ_CHECK(!info.is_signed, "kmeans codes are unsigned (uint8 or uint4)");
    WASMQ_CHECK(q.codebook.size() == groups << info.bits,
                "codebook has " + std::to_string(q.codebook.size()) + " entries, expected " +
                    std::to_string(groups << info.bits) + " (groups x 2^bits)");
    return;
  }
  WASMQ_CHECK(q.scale.size() == groups, "scale has " + std::to_string(q.scale.size()) + " values, expected " +
                                            std::to_string(groups) + " for this granularity");
  WASMQ_CHECK(q.zero_point.size() == groups, "zeroPoint has " + std::to_string(q.zero_point.size()) +
                                                 " values, expected " + std::to_string(groups));
  for (size_t g = 0; g < groups; ++g) {
    WASMQ_CHECK(std::isfinite(q.scale[g]) && q.scale[g] > 0.0f, "scale[" + std::to_string(g) + "] must be finite and > 0");
    WASMQ_CHECK(q.zero_point[g] >= info.qmin && q.zero_point[g] <= info.qmax,
                "zeroPoint[" + std::to_string(g) + "] = " + std::to_string(q.zero_point[g]) + " is outside the " +
                    name_of(q.dtype) + " range");
  }
}

void dequantize(const QuantizedTensor& q, float* y) {
  validate(q);
  const size_t n = q.numel();
  const DTypeInfo info = dtype_info(q.dtype);
  const uint8_t* raw = q.data.data();
  if (info.is_float) {
    (q.dtype == DType::kFloat16 ? convert_f16_to_f32 : convert_bf16_to_f32)(n, reinterpret_cast<const uint16_t*>(raw), y);
    return;
  }
  int axis = q.axis;
  const GroupLayout l = make_group_layout(q.shape, n, q.granularity, &axis, q.block_size);

  // Unpack 4-bit codes to one byte each; 8-bit codes are used in place.
  std::vector<int8_t> unpacked;
  const int8_t* codes8 = reinterpret_cast<const int8_t*>(raw);
  if (info.bits == 4) {
    unpacked.resize(n);
    (info.is_signed ? vcvt_config().qs4_unpack : vcvt_config().qu4_unpack)(n, raw, unpacked.data());
    codes8 = unpacked.data();
  }

  if (q.scheme == Scheme::kKMeans) {
    const int K = 1 << info.bits;
    const uint8_t* c = reinterpret_cast<const uint8_t*>(codes8);
    l.for_each_span([&](int64_t start, int64_t len, int64_t g, bool varying) {
      for (int64_t k = 0; k < len; ++k) {
        const int64_t gi = varying ? g + k : g;
        y[start + k] = q.codebook[static_cast<size_t>(gi * K + c[start + k])];
      }
    });
    return;
  }
  if (q.scheme == Scheme::kLog2) {
    const QRange qr = scheme_range(q.dtype, q.scheme);
    const int16_t* c16 = reinterpret_cast<const int16_t*>(raw);
    l.for_each_span([&](int64_t start, int64_t len, int64_t g, bool varying) {
      for (int64_t k = 0; k < len; ++k) {
        const size_t gi = static_cast<size_t>(varying ? g + k : g);
        const int32_t m = info.bits == 16 ? c16[start + k] : codes8[start + k];
        y[start + k] = log2_value(m, qr.qmax, q.scale[gi]);
      }
    });
    return;
  }
  if (info.bits == 16) {
    const int16_t* c16 = reinterpret_cast<const int16_t*>(raw);
    l.for_each_span([&](int64_t start, int64_t len, int64_t g, bool varying) {
      for (int64_t k = 0; k < len; ++k) {
        const size_t gi = static_cast<size_t>(varying ? g + k : g);
        y[start + k] = static_cast<float>(static_cast<int32_t>(c16[start + k]) - q.zero_point[gi]) * q.scale[gi];
      }
    });
    return;
  }
  decode_uniform_8bit(codes8, y, info.is_signed, l, q.scale, q.zero_point);
}

}  // namespace wasmq

// Embind layer: thin conversions between JS values and the C++ API in src/wasmq.h. Every entry
// point catches C++ exceptions and returns { error } instead, so no exception (and no leaked wasm
// stack) crosses into JS; the ESM wrapper (bindings/js/index.mjs) turns { error } into an Error.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "embind_util.h"
#include "wasmq.h"

using emscripten::val;

namespace {

using wasmq::bind::error_value;
using wasmq::bind::guarded;

// Copies a C++ array into a new JS typed array of the given constructor.
template <typename T>
val to_typed(const char* ctor, const T* data, size_t n) {
  return val::global(ctor).new_(emscripten::typed_memory_view(n, data));
}

std::vector<int64_t> shape_from(const val& v) {
  std::vector<int64_t> shape;
  for (double d : emscripten::vecFromJSArray<double>(v)) shape.push_back(static_cast<int64_t>(d));
  return shape;
}

val shape_to(const std::vector<int64_t>& s) {
  val a = val::array();
  for (size_t i = 0; i < s.size(); ++i) a.set(i, static_cast<double>(s[i]));
  return a;
}

wasmq::ObserverOptions observer_options(const val& o) {
  wasmq::ObserverOptions r;
  if (!o["bins"].isUndefined()) r.bins = o["bins"].as<int>();
  if (!o["percentile"].isUndefined()) r.percentile = o["percentile"].as<double>();
  if (!o["averagingConstant"].isUndefined()) r.averaging_constant = o["averagingConstant"].as<float>();
  return r;
}

// x_ptr/n: floats the wrapper copied into wasm memory (malloc'ed and freed by the wrapper).
// opts arrives normalised by the JS wrapper: every field present with the right JS type.
val quantize_js(uintptr_t x_ptr, size_t n, val opts) {
  return guarded([&] {
    const float* x = reinterpret_cast<const float*>(x_ptr);
    wasmq::QuantizeOptions o;
    o.shape = shape_from(opts["shape"]);
    o.dtype = wasmq::parse_dtype(opts["dtype"].as<std::string>());
    o.scheme = wasmq::parse_scheme(opts["scheme"].as<std::string>());
    o.granularity = wasmq::parse_granularity(opts["granularity"].as<std::string>());
    o.axis = opts["axis"].as<int>();
    o.block_size = static_cast<int64_t>(opts["blockSize"].as<double>());
    o.calibration = wasmq::parse_calibration(opts["calibration"].as<std::string>());
    o.observer = observer_options(opts);
    o.rounding = wasmq::parse_rounding(opts["rounding"].as<std::string>());
    o.seed = static_cast<uint64_t>(opts["seed"].as<double>());
    o.kmeans_iterations = opts["iterations"].as<int>();
    const wasmq::QuantizedTensor q = wasmq::quantize(x, n, o);

    val r = val::object();
    r.set("dtype", std::string(wasmq::name_of(q.dtype)));
    r.set("scheme", std::string(wasmq::name_of(q.scheme)));
    r.set("granularity", std::string(wasmq::name_of(q.granularity)));
    r.set("shape", shape_to(q.shape));
    r.set("axis", q.axis);
    r.set("blockSize", static_cast<double>(q.block_size));
    const size_t n = q.numel();
    const wasmq::DTypeInfo info = wasmq::dtype_info(q.dtype);
    if (info.is_float) {
      r.set("data", to_typed("Uint16Array", reinterpret_cast<const uint16_t*>(q.data.data()), n));
    } else if (info.bits == 16) {
      r.set("data", to_typed("Int16Array", reinterpret_cast<const int16_t*>(q.data.data()), n));
    } else if (info.is_signed && info.bits == 8) {
      r.set("data", to_typed("Int8Array", reinterpret_cast<const int8_t*>(q.data.data()), q.data.size()));
    } else {
      r.set("data", to_typed("Uint8Array", q.data.data(), q.data.size()));
    }
    r.set("scaleShape", shape_to(q.scale_shape));
    r.set("scale", to_typed("Float32Array", q.scale.data(), q.scale.size()));
    r.set("zeroPoint", to_typed("Int32Array", q.zero_point.data(), q.zero_point.size()));
    if (q.scheme == wasmq::Scheme::kKMeans) r.set("codebook", to_typed("Float32Array", q.codebook.data(), q.codebook.size()));
    return r;
  });
}

// q: { dtype, scheme, granularity, shape, axis, blockSize, scale, zeroPoint, codebook }; the code
// bytes (data_ptr, data_len) and the output (out_ptr, numel floats) live in wasm memory that the
// wrapper allocates and frees.
val dequantize_js(val q, uintptr_t data_ptr, size_t data_len, uintptr_t out_ptr, size_t out_len) {
  return guarded([&] {
    wasmq::QuantizedTensor t;
    t.dtype = wasmq::parse_dtype(q["dtype"].as<std::string>());
    t.scheme = wasmq::parse_scheme(q["scheme"].as<std::string>());
    t.granularity = wasmq::parse_granularity(q["granularity"].as<std::string>());
    t.shape = shape_from(q["shape"]);
    t.axis = q["axis"].as<int>();
    t.block_size = static_cast<int64_t>(q["blockSize"].as<double>());
    const uint8_t* bytes = reinterpret_cast<const uint8_t*>(data_ptr);
    t.data.assign(bytes, bytes + data_len);
    t.scale = emscripten::convertJSArrayToNumberVector<float>(q["scale"]);
    t.zero_point = emscripten::convertJSArrayToNumberVector<int32_t>(q["zeroPoint"]);
    t.codebook = emscripten::convertJSArrayToNumberVector<float>(q["codebook"]);
    wasmq::validate(t);
    WASMQ_CHECK(t.numel() == out_len, "output buffer does not match the shape");
    wasmq::dequantize(t, reinterpret_cast<float*>(out_ptr));
    return val::undefined();
  });
}

val metrics_js(val reference, val approx) {
  return guarded([&] {
    const std::vector<float> a = emscripten::convertJSArrayToNumberVector<float>(reference);
    const std::vector<float> b = emscripten::convertJSArrayToNumberVector<float>(approx);
    WASMQ_CHECK(a.size() == b.size(), "reference has " + std::to_string(a.size()) + " values but approx has " +
                                          std::to_string(b.size()));
    const wasmq::ErrorMetrics m = wasmq::compute_metrics(a.data(), b.data(), a.size());
    val r = val::object();
    r.set("mse", m.mse);
    r.set("maxAbsError", m.max_abs_error);
    r.set("sqnrDb", m.sqnr_db);
    r.set("cosine", m.cosine);
    return r;
  });
}

class ObserverHandle {
 public:
  // Returns "" on success or the error message (constructors cannot report errors without a throw).
  std::string init(const std::string& kind, val opts) {
    try {
      observer_ = wasmq::make_observer(wasmq::parse_calibration(kind), observer_options(opts));
      return "";
    } catch (const std::exception& e) {
      return e.what();
    }
  }
  val observe(val data) {
    return guarded([&] {
      const std::vector<float> x = emscripten::convertJSArrayToNumberVector<float>(data);
      observer_->observe(x.data(), x.size());
      return val::undefined();
    });
  }
  val qparams(const std::string& dtype, const std::string& scheme) {
    return guarded([&] {
      const wasmq::DType d = wasmq::parse_dtype(dtype);
      const wasmq::Scheme s = wasmq::parse_scheme(scheme);
      const wasmq::Range range = observer_->range(d, s);
      const wasmq::QParams p = observer_->qparams(d, s);
      val r = val::object();
      r.set("scale", p.scale);
      r.set("zeroPoint", p.zero_point);
      r.set("min", range.min);
      r.set("max", range.max);
      return r;
    });
  }
  double count() const { return static_cast<double>(observer_ ? observer_->count() : 0); }

 private:
  std::unique_ptr<wasmq::Observer> observer_;
};

bool built_with_simd() {
#if defined(WASMQ_HAVE_WASMSIMD)
  return true;
#else
  return false;
#endif
}

}  // namespace

EMSCRIPTEN_BINDINGS(wasmq) {
  emscripten::function("quantize", &quantize_js);
  emscripten::function("dequantize", &dequantize_js);
  emscripten::function("metrics", &metrics_js);
  emscripten::function("builtWithSimd", &built_with_simd);
  emscripten::class_<ObserverHandle>("Observer")
      .constructor<>()
      .function("init", &ObserverHandle::init)
      .function("observe", &ObserverHandle::observe)
      .function("qparams", &ObserverHandle::qparams)
      .function("count", &ObserverHandle::count);
}

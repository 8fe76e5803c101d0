// quantize()/dequantize() throughput inside wasm (no JS copies): run from the SIMD and the scalar
// build by bench/suites/quant.mjs, which reports the ratio.
#include <string>
#include <vector>

#include "bench.h"
#include "common/rng.h"
#include "wasmq.h"

namespace {

using namespace wasmq_bench;

struct Case {
  const char* label;
  wasmq::DType dtype;
  wasmq::Scheme scheme;
  wasmq::Granularity granularity;
  int64_t block;
};

WASMQ_BENCH("quant", "quantize", [](const Options& o) {
#if defined(WASMQ_HAVE_WASMSIMD)
  const char* build = "simd";
#else
  const char* build = "scalar";
#endif
  const Case cases[] = {
      {"int8", wasmq::DType::kInt8, wasmq::Scheme::kAffine, wasmq::Granularity::kTensor, 0},
      {"int4", wasmq::DType::kInt4, wasmq::Scheme::kSymmetric, wasmq::Granularity::kBlock, 32},
  };
  std::vector<size_t> sizes = {size_t{1} << 20};
  if (!o.quick) sizes.push_back(size_t{1} << 24);
  for (size_t n : sizes) {
    std::vector<float> x(n), y(n);
    wasmq::Rng rng(1);
    for (float& v : x) v = static_cast<float>(rng.uniform() * 8.0 - 3.0);
    for (const Case& c : cases) {
      wasmq::QuantizeOptions qo;
      qo.dtype = c.dtype;
      qo.scheme = c.scheme;
      qo.granularity = c.granularity;
      qo.block_size = c.block;
      qo.shape = {static_cast<int64_t>(n / 1024), 1024};
      qo.axis = 1;
      wasmq::QuantizedTensor q;
      const double tq = median_seconds([&] { q = wasmq::quantize(x.data(), n, qo); }, o.min_seconds);
      const double td = median_seconds([&] { wasmq::dequantize(q, y.data()); }, o.min_seconds);
      const std::string common = json_str("dtype", c.label) + "," + json_str("granularity", wasmq::name_of(c.granularity)) +
                                 "," + json_num("n", static_cast<double>(n)) + "," + json_str("build", build);
      report("quant", json_str("op", "quantize") + "," + common + "," + json_num("melems", n / tq * 1e-6));
      report("quant", json_str("op", "dequantize") + "," + common + "," + json_num("melems", n / td * 1e-6));
    }
  }
});

}  // namespace

// Benchmarks of the quantize/dequantize conversion kernels, scalar reference vs WASM SIMD.
#include <vector>

#include "bench.h"
#include "kernels/vcvt/vcvt.h"

namespace {

using namespace wasmq_bench;

void run(const char* kernel, size_t n, const std::function<void()>& fn, const Options& o) {
  const double s = median_seconds(fn, o.min_seconds);
  report("vcvt", json_str("kernel", kernel) + "," + json_num("n", static_cast<double>(n)) + "," +
                     json_num("gelems", static_cast<double>(n) / s * 1e-9));
}

WASMQ_BENCH("vcvt", "vcvt", [](const Options& o) {
  const size_t n = o.quick ? (1 << 16) : (1 << 20);
  std::vector<float> x(n), y(n);
  for (size_t i = 0; i < n; ++i) x[i] = static_cast<float>((i * 7919) % 2001) * 0.01f - 10.0f;
  std::vector<int8_t> q(n);
  const wasmq::QuantizeParams qp{0.08f, 3.0f, -128.0f, 127.0f};
  const wasmq::DequantizeParams dp{0.08f, 3};
  run("f32_qs8_vcvt__scalar", n, [&] { wasmq::f32_qs8_vcvt__scalar(n, x.data(), q.data(), qp); }, o);
  run("qs8_f32_vcvt__scalar", n, [&] { wasmq::qs8_f32_vcvt__scalar(n, q.data(), y.data(), dp); }, o);
#if defined(WASMQ_HAVE_WASMSIMD)
  run("f32_qs8_vcvt__wasmsimd_x16", n, [&] { wasmq::f32_qs8_vcvt__wasmsimd_x16(n, x.data(), q.data(), qp); }, o);
  run("qs8_f32_vcvt__wasmsimd_x16", n, [&] { wasmq::qs8_f32_vcvt__wasmsimd_x16(n, q.data(), y.data(), dp); }, o);
#endif
});

}  // namespace

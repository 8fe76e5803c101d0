// GEMM benchmarks: int8 (qs8), int8 GEMV, WASM SIMD dot peak, float (f32), int4 GEMV (qs4); GOPS = 2 ops/MAC.
#include <cstring>
#include <string>
#include <vector>

#include "bench.h"
#include "common/rng.h"
#include "kernels/f32-gemm/f32-gemm.h"
#include "kernels/qs4-gemm/qs4-gemm.h"
#include "kernels/qs8-gemm/qd8-gemm.h"
#include "kernels/qs8-gemm/qs8-gemm.h"
#include "simd/wasm_simd.h"

namespace {

using namespace wasmq_bench;

struct Shape {
  size_t m, n, k;
  const char* model;  // "" for square shapes
};

// Square sizes, then layers of real small models as GEMMs (M = rows of activations).
std::vector<Shape> gemm_shapes(const Options& o) {
  if (o.quick) return {{64, 64, 64, ""}, {256, 256, 256, ""}, {64, 256, 256, "mlp"}};
  return {
      {64, 64, 64, ""}, {128, 128, 128, ""}, {256, 256, 256, ""}, {512, 512, 512, ""}, {1024, 1024, 1024, ""},
      {64, 256, 256, "mlp-batch64"},
      {1, 128, 784, "mlp-784x128"},
      {3136, 128, 128, "mobilenet-v1-1x1-56x56"},  // 56*56 pixels, 128 -> 128 channels
      {784, 256, 256, "mobilenet-v1-1x1-28x28"},
      {196, 512, 512, "mobilenet-v1-1x1-14x14"},
      {49, 1024, 1024, "mobilenet-v1-1x1-7x7"},
      {12544, 32, 27, "mobilenet-v1-conv0-im2col"},  // 3x3x3 stem as im2col GEMM
  };
}

std::vector<Shape> gemv_shapes(const Options& o) {
  if (o.quick) return {{1, 128, 784, "mlp-784x128"}, {1, 512, 512, ""}};
  return {{1, 128, 784, "mlp-784x128"}, {1, 256, 256, ""}, {1, 1024, 1024, ""}, {1, 4096, 1024, "llm-ffn-up"},
          {1, 1024, 4096, "llm-ffn-down"}};
}

void emit(const char* kernel, const char* impl, const Shape& s, double seconds) {
  std::string f = json_str("kernel", kernel) + "," + json_str("impl", impl) + "," +
                  json_num("m", static_cast<double>(s.m)) + "," + json_num("n", static_cast<double>(s.n)) + "," +
                  json_num("k", static_cast<double>(s.k));
  if (s.model[0]) f += "," + json_str("model", s.model);
  f += "," + json_num("gops", 2.0 * s.m * s.n * s.k / seconds * 1e-9);
  report("gemm", f);
}

template <typename T>
std::vector<T> random_codes(size_t n, uint64_t seed, int lo, int hi) {
  wasmq::Rng rng(seed);
  std::vector<T> v(n + 16);
  for (auto& x : v) x = static_cast<T>(lo + static_cast<int>(rng.below(static_cast<uint64_t>(hi - lo + 1))));
  return v;
}

// Int8 GEMM, uint8 activations (zero point 128) and requantized uint8 output, per-channel scales.
template <typename Fn>
void bench_qs8(const char* kernel, const char* impl, Fn fn, bool w16, const Shape& s, const Options& o) {
  const auto a = random_codes<uint8_t>(s.m * s.k, 1, 0, 255);
  const auto w = random_codes<int8_t>(s.n * s.k, 2, -127, 127);
  std::vector<int32_t> bias(s.n, 100);
  std::vector<float> scale(s.n, 1.0f / 4096.0f);
  std::vector<uint8_t> packed(wasmq::qs8_packw_size(s.n, s.k, w16 ? 2 : 1));
  (w16 ? wasmq::qs8_packw_w16 : wasmq::qs8_packw)(s.n, s.k, w.data(), s.k, 1, bias.data(), packed.data());
  std::vector<uint8_t> c(s.m * s.n);
  const int32_t zp = 128;
  wasmq::QGemmParams p;
  p.a_zero_point = &zp;
  p.scale = scale.data();
  p.c_zero_point = 128;
  p.qmin = 0;
  p.qmax = 255;
  const double t = median_seconds(
      [&] { fn(0, s.m, 0, s.n, s.k, a.data(), s.k, packed.data(), c.data(), s.n, p); }, o.min_seconds);
  emit(kernel, impl, s, t);
}

void bench_f32(const Shape& s, const Options& o, const char* kernel = "f32", wasmq::f32_gemm_fn fn = nullptr,
               const char* impl = nullptr) {
  std::vector<float> a(s.m * s.k), w(s.n * s.k), bias(s.n, 0.5f), c(s.m * s.n);
  wasmq::Rng rng(3);
  for (auto& x : a) x = static_cast<float>(rng.uniform()) - 0.5f;
  for (auto& x : w) x = static_cast<float>(rng.uniform()) - 0.5f;
  std::vector<float> packed(wasmq::f32_packw_size(s.n, s.k));
  wasmq::f32_packw(s.n, s.k, w.data(), 1, s.n, bias.data(), packed.data());  // W given as [K][N]
  const wasmq::F32GemmConfig& cfg = wasmq::f32_gemm_config();
  const wasmq::F32GemmParams p{-1e30f, 1e30f};
  if (!fn) fn = cfg.gemm, impl = cfg.gemm_name;
  const double t = median_seconds(
      [&] { fn(0, s.m, 0, s.n, s.k, a.data(), s.k, packed.data(), c.data(), s.n, p); }, o.min_seconds);
  emit(kernel, impl, s, t);
}

// Kernel name and function for a tile on int8 (W8) or int16 (W16) packing; the scalar build
// measures the reference for the same packing.
#if defined(WASMQ_HAVE_WASMSIMD)
#define WASMQ_QS8_W8(tile) "qu8_gemm_minmax_fp32__wasmsimd_dot16x2_" #tile, wasmq::qu8_gemm_minmax_fp32__wasmsimd_dot16x2_##tile
#define WASMQ_QS8_W16(tile) \
  "qu8_gemm_minmax_fp32__wasmsimd_dot16x2_" #tile "w16", wasmq::qu8_gemm_minmax_fp32__wasmsimd_dot16x2_##tile##w16
#else
#define WASMQ_QS8_W8(tile) "qu8_gemm_minmax_fp32__scalar", wasmq::qu8_gemm_minmax_fp32__scalar
#define WASMQ_QS8_W16(tile) "qu8_gemm_minmax_fp32__scalar_w16", wasmq::qu8_gemm_minmax_fp32__scalar_w16
#endif

WASMQ_BENCH("gemm", "qs8", [](const Options& o) {
  // "qs8" is the configured kernel (qgemm_config: 2x4c8 on int16-packed weights).
  for (const Shape& s : gemm_shapes(o)) bench_qs8("qs8", WASMQ_QS8_W16(2x4c8), true, s, o);
#if defined(WASMQ_HAVE_WASMSIMD)
  if (!o.quick) {  // the other tiles, on the square shapes from 256
    for (const Shape& s : gemm_shapes(o)) {
      if (s.model[0] || s.m < 256) continue;
      bench_qs8("qs8-variant", WASMQ_QS8_W16(4x4c8), true, s, o);
      bench_qs8("qs8-variant", WASMQ_QS8_W8(4x4c8), false, s, o);
      bench_qs8("qs8-variant", WASMQ_QS8_W8(2x4c8), false, s, o);
    }
  }
#endif
  if (!o.quick) {
    bench_qs8("qs8-scalar", "qu8_gemm_minmax_fp32__scalar", wasmq::qu8_gemm_minmax_fp32__scalar, false,
              Shape{64, 64, 64, ""}, o);
  }
});

WASMQ_BENCH("gemm", "qs8-gemv", [](const Options& o) {
  // M = 1: one row at a time; int8-packed weights (half the memory traffic of int16).
  for (const Shape& s : gemv_shapes(o)) {
    bench_qs8("qs8-gemv", WASMQ_QS8_W8(1x4c8), false, s, o);
    if (!o.quick) bench_qs8("qs8-gemv-w16", WASMQ_QS8_W16(1x4c8), true, s, o);
  }
});

WASMQ_BENCH("gemm", "f32", [](const Options& o) {
  for (const Shape& s : gemm_shapes(o)) bench_f32(s, o);
#if defined(WASMQ_HAVE_WASMSIMD)
  if (!o.quick) {  // the other tiles, square shapes from 256
    for (const Shape& s : gemm_shapes(o)) {
      if (s.model[0] || s.m < 256) continue;
      bench_f32(s, o, "f32-variant", wasmq::f32_gemm_minmax__wasmsimd_splat_6x8, "f32_gemm_minmax__wasmsimd_splat_6x8");
      bench_f32(s, o, "f32-variant", wasmq::f32_gemm_minmax__wasmsimd_loadsplat_6x8, "f32_gemm_minmax__wasmsimd_loadsplat_6x8");
      bench_f32(s, o, "f32-variant", wasmq::f32_gemm_minmax__wasmsimd_splat_4x8, "f32_gemm_minmax__wasmsimd_splat_4x8");
    }
    bench_f32(Shape{64, 64, 64, ""}, o, "f32-scalar", wasmq::f32_gemm_minmax__scalar, "f32_gemm_minmax__scalar");
  }
#endif
});

// Block-int4 weights (ONNX MatMulNBits layout, block 32): "qs4" = qb8 activations x qb4w (kernel
// only, activations already quantized, like qs8-gemv's), "qs4-f32" = float activations x qb4w.
void bench_qs4(const Shape& s, size_t block, bool small_m, const Options& o) {
  const size_t nb = wasmq::qs4_blocks(s.k, block);
  const auto blob = random_codes<uint8_t>(s.n * nb * block / 2, 4, 0, 255);
  std::vector<float> scales(s.n * nb, 0.01f), a(s.m * s.k), c(s.m * s.n), sa(s.m * nb);
  wasmq::Rng rng(5);
  for (auto& x : a) x = static_cast<float>(rng.uniform()) - 0.5f;
  std::vector<uint8_t> packed(wasmq::qs4_packw_size(s.n, s.k, block));
  wasmq::qs4_packw_onnx(s.n, s.k, block, blob.data(), scales.data(), packed.data());
  std::vector<int8_t> qa(s.m * nb * block);
  std::vector<int16_t> qa16(qa.size());
  std::vector<int32_t> sums(s.m * nb);
  wasmq::f32_qb8_quantize(s.m, s.k, block, a.data(), s.k, qa.data(), sa.data());
  wasmq::qb8_pack_act(s.m, s.k, block, qa.data(), qa16.data(), sums.data());
  const wasmq::Qb8Act act{qa.data(), qa16.data(), sums.data(), sa.data()};
  const wasmq::Qs4GemmConfig& cfg = wasmq::qs4_gemm_config();
  const wasmq::Qs4Params p;
  const auto qb8 = small_m ? cfg.qb8_gemm : cfg.qb8_gemv;
  const auto f32 = small_m ? cfg.f32_gemm : cfg.f32_gemv;
  double t = median_seconds([&] { qb8(0, s.m, 0, s.n, s.k, block, act, packed.data(), c.data(), s.n, p); },
                            o.min_seconds);
  const std::string bs = ", block " + std::to_string(block);
  emit(small_m ? "qs4-gemm" : (block == 32 ? "qs4" : "qs4-b" + std::to_string(block)).c_str(),
       ((small_m ? "qb8_qb4w_gemm_minmax (config gemm)" : "qb8_qb4w_gemm_minmax (config gemv)") + bs).c_str(), s, t);
  if (block != 32) return;
  t = median_seconds([&] { f32(0, s.m, 0, s.n, s.k, block, a.data(), s.k, packed.data(), c.data(), s.n, p); }, o.min_seconds);
  emit(small_m ? "qs4-f32-gemm" : "qs4-f32", ("f32_qb4w_gemm_minmax (config)" + bs).c_str(), s, t);
  if (!small_m && !o.quick) {  // activation quantization cost, reported as GOPS of the whole GEMV
    t = median_seconds([&] {
      wasmq::f32_qb8_quantize(s.m, s.k, block, a.data(), s.k, qa.data(), sa.data());
      wasmq::qb8_pack_act(s.m, s.k, block, qa.data(), qa16.data(), sums.data());
    }, o.min_seconds);
    emit("qs4-quantize-act", "f32_qb8_quantize + qb8_pack_act (time as GEMV-equivalent GOPS)", s, t);
  }
}

WASMQ_BENCH("gemm", "qs4", [](const Options& o) {
  for (const Shape& s : gemv_shapes(o)) {
    bench_qs4(s, 32, false, o);
    if (!o.quick) bench_qs4(s, 128, false, o);
  }
  if (!o.quick) {
    for (const Shape& s : std::vector<Shape>{{4, 1024, 1024, "small-m"}, {8, 4096, 1024, "llm-ffn-up-batch8"}}) {
      bench_qs4(s, 32, true, o);
    }
  }
});

// Dynamically quantized linear (per-row DynamicQuantizeLinear + int8 GEMM, float out), including
// the activation quantization.
WASMQ_BENCH("gemm", "qd8", [](const Options& o) {
  for (const Shape& s : gemm_shapes(o)) {
    std::vector<float> a(s.m * s.k), c(s.m * s.n), w_scale(s.n, 0.01f), bias(s.n, 0.1f);
    wasmq::Rng rng(6);
    for (auto& x : a) x = static_cast<float>(rng.uniform()) - 0.5f;
    const auto w = random_codes<int8_t>(s.n * s.k, 7, -127, 127);
    const wasmq::QGemmConfig& cfg = wasmq::qgemm_config();
    std::vector<uint8_t> packed(wasmq::qs8_packw_size(s.n, s.k, cfg.w_bytes)), scratch(wasmq::qd8_scratch_size(s.m, s.k));
    cfg.packw(s.n, s.k, w.data(), s.k, 1, nullptr, packed.data());
    wasmq::Qd8GemmArgs args;
    args.packed_w = packed.data();
    args.w_scale = w_scale.data();
    args.bias = bias.data();
    const double t = median_seconds(
        [&] { wasmq::qd8_f32_gemm(s.m, 0, s.n, s.k, a.data(), s.k, args, c.data(), s.n, scratch.data()); }, o.min_seconds);
    emit("qd8", "qd8_f32_gemm (per-row DynamicQuantizeLinear + qu8_gemm_f32)", s, t);
  }
});

#if defined(WASMQ_HAVE_WASMSIMD)
// Register-only throughput loop: 12 independent accumulators, each step acc += dot(acc, v)
// (i32x4.dot_i16x8_s + i32x4.add; feeding acc back keeps the compiler from hoisting the dot out
// of the loop). 12 chains cover the dot+add latency, so the loop is bound by throughput.
// Reported like a GEMM: 8 MACs = 16 ops per dot.
__attribute__((noinline)) v128_t peak_loop(size_t iters, v128_t v) {
  v128_t acc[12];
  for (int i = 0; i < 12; ++i) acc[i] = wasm_i32x4_add(v, wasm_i32x4_splat(i));
  for (size_t it = 0; it < iters; ++it) {
    for (int i = 0; i < 12; ++i) acc[i] = wasm_i32x4_add(acc[i], wasm_i32x4_dot_i16x8(acc[i], v));
  }
  v128_t s = acc[0];
  for (int i = 1; i < 12; ++i) s = wasm_v128_xor(s, acc[i]);
  return s;
}

WASMQ_BENCH("gemm", "peak", [](const Options& o) {
  const size_t iters = 1 << 20;
  volatile int32_t sink = 0;
  const v128_t v = wasm_i32x4_splat(static_cast<int32_t>(0x00030001 + sink));
  const double t = median_seconds([&] { sink = wasm_i32x4_extract_lane(peak_loop(iters, v), 0); }, o.min_seconds);
  report("gemm", json_str("kernel", "peak") + "," + json_str("impl", "i32x4.dot_i16x8_s+i32x4.add x12") + "," +
                     json_num("gops", 12.0 * 16.0 * iters / t * 1e-9));
});
#endif

}  // namespace

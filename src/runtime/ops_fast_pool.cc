// Fast GlobalAveragePool over NCHW planes: four f32x4 partial sums per plane with WASM SIMD,
// combined once, times 1/plane size; the reference (double accumulation) for other dtypes.
// GlobalMaxPool, MaxPool and AveragePool stay on the reference (< 1 % of the real models' time).
#include "runtime/ops_fast.h"
#include "simd/wasm_simd.h"

namespace wasmq::rt {
namespace {

float plane_sum(const float* x, size_t n) {
  size_t i = 0;
  float total = 0.0f;
#if defined(WASMQ_HAVE_WASMSIMD)
  v128_t a0 = wasm_f32x4_splat(0.0f), a1 = a0, a2 = a0, a3 = a0;
  for (; i + 16 <= n; i += 16) {
    a0 = wasm_f32x4_add(a0, wasm_v128_load(x + i));
    a1 = wasm_f32x4_add(a1, wasm_v128_load(x + i + 4));
    a2 = wasm_f32x4_add(a2, wasm_v128_load(x + i + 8));
    a3 = wasm_f32x4_add(a3, wasm_v128_load(x + i + 12));
  }
  for (; i + 4 <= n; i += 4) a0 = wasm_f32x4_add(a0, wasm_v128_load(x + i));
  const v128_t s = wasm_f32x4_add(wasm_f32x4_add(a0, a1), wasm_f32x4_add(a2, a3));
  total = (wasm_f32x4_extract_lane(s, 0) + wasm_f32x4_extract_lane(s, 1)) +
          (wasm_f32x4_extract_lane(s, 2) + wasm_f32x4_extract_lane(s, 3));
#endif
  for (; i < n; ++i) total += x[i];
  return total;
}

class FastGlobalPoolOp : public FastOp {
 public:
  explicit FastGlobalPoolOp(const OpContext& c) : FastOp(c) {}

 protected:
  bool infer_fast(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    return in[0]->dtype == ElemType::kFloat;
  }
  void run_fast(const std::vector<const Tensor*>& in, std::vector<Tensor*>& out) override {
    const Shape& s = in[0]->shape;
    const size_t planes = static_cast<size_t>(s[0] * s[1]);
    const size_t sp = planes ? in[0]->numel() / planes : 0;
    const float* x = in[0]->as<const float>();
    float* y = out[0]->as<float>();
    for (size_t p = 0; p < planes; ++p) y[p] = plane_sum(x + p * sp, sp) / static_cast<float>(sp);
  }
};

}  // namespace

void register_fast_pool_ops(OpRegistry& r) {
  add_op(r, "GlobalAveragePool", [](const OpContext& c) -> std::unique_ptr<Op> { return std::make_unique<FastGlobalPoolOp>(c); });
}

}  // namespace wasmq::rt

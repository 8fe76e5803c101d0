// Kernel tables for elementwise ops (SIMD when compiled in, and the scalar set; 8-bit and int16
// outputs) and the broadcasting driver over [rows][channels] views.
#include <algorithm>

#include "common/error.h"
#include "kernels/elementwise/elementwise.h"

namespace wasmq {

#define WASMQ_F32_SET(isa)                                                                                   \
  {                                                                                                          \
    {f32_vadd_minmax__##isa, f32_vaddc_minmax__##isa, f32_vaddc_minmax__##isa},                              \
        {f32_vsub_minmax__##isa, f32_vsubc_minmax__##isa, f32_vrsubc_minmax__##isa},                         \
        {f32_vmul_minmax__##isa, f32_vmulc_minmax__##isa, f32_vmulc_minmax__##isa},                          \
        {f32_vdiv_minmax__##isa, f32_vdivc_minmax__##isa, f32_vrdivc_minmax__##isa},                         \
        {f32_vmax_minmax__##isa, f32_vmaxc_minmax__##isa, f32_vmaxc_minmax__##isa},                          \
        {f32_vmin_minmax__##isa, f32_vminc_minmax__##isa, f32_vminc_minmax__##isa},                          \
  }
#define WASMQ_ELEMENTWISE_SET(isa)                                                                           \
  {                                                                                                          \
    qs8_vadd_minmax__##isa, qs8_vaddc_minmax__##isa, qu8_vadd_minmax__##isa, qu8_vaddc_minmax__##isa,        \
        qs8_vmul_minmax_fp32__##isa, qs8_vmulc_minmax_fp32__##isa, qu8_vmul_minmax_fp32__##isa,              \
        qu8_vmulc_minmax_fp32__##isa, WASMQ_F32_SET(isa)                                                     \
  }

const ElementwiseConfig& elementwise_config_scalar() {
  static const ElementwiseConfig config = WASMQ_ELEMENTWISE_SET(scalar);
  return config;
}

const ElementwiseConfig& elementwise_config() {
#if defined(WASMQ_HAVE_WASMSIMD)
  static const ElementwiseConfig config = WASMQ_ELEMENTWISE_SET(wasmsimd_x16);
  return config;
#else
  return elementwise_config_scalar();
#endif
}

#define WASMQ_ELEMENTWISE16_SET(isa)                                                                         \
  {                                                                                                          \
    qs8_qs16_vadd_minmax__##isa, qs8_qs16_vaddc_minmax__##isa, qs8_qs16_vmul_minmax_fp32__##isa,             \
        qs8_qs16_vmulc_minmax_fp32__##isa                                                                    \
  }

const Elementwise16Config& elementwise16_config_scalar() {
  static const Elementwise16Config config = WASMQ_ELEMENTWISE16_SET(scalar);
  return config;
}

const Elementwise16Config& elementwise16_config() {
#if defined(WASMQ_HAVE_WASMSIMD)
  static const Elementwise16Config config = WASMQ_ELEMENTWISE16_SET(wasmsimd_x16);
  return config;
#else
  return elementwise16_config_scalar();
#endif
}

namespace {

void check_range(const BinaryShape& s, size_t row_begin, size_t row_end) {
  WASMQ_CHECK(row_begin <= row_end && row_end <= s.rows, "binary op: row range is outside [0, rows]");
}

template <typename T>
const T* row_ptr(const T* base, Broadcast b, size_t row, size_t channels) {
  return b == Broadcast::kFull ? base + row * channels : base;
}

// Generic driver, inputs T, output O. op(n, x, z) with z of full length; opc(n, x, c) with c one
// value on the right; ropc(n, x, c) = c op x (scalar on the left).
template <typename T, typename O, class Op, class OpC, class ROpC>
void drive(const BinaryShape& s, const T* a, const T* b, O* y, size_t r0, size_t r1, Op op, OpC opc, ROpC ropc) {
  check_range(s, r0, r1);
  const size_t c = s.channels;
  if (r0 == r1 || c == 0) return;
  if (s.a == Broadcast::kFull && s.b == Broadcast::kFull) {  // contiguous: one call
    op((r1 - r0) * c, a + r0 * c, b + r0 * c, y + r0 * c);
    return;
  }
  if (s.a == Broadcast::kScalar && s.b == Broadcast::kScalar) {  // one value, repeated
    O v;
    opc(1, a, b, &v);
    std::fill(y + r0 * c, y + r1 * c, v);
    return;
  }
  for (size_t r = r0; r < r1; ++r) {
    O* yr = y + r * c;
    if (s.b == Broadcast::kScalar) {
      opc(c, row_ptr(a, s.a, r, c), b, yr);
    } else if (s.a == Broadcast::kScalar) {
      ropc(c, row_ptr(b, s.b, r, c), a, yr);
    } else {
      op(c, row_ptr(a, s.a, r, c), row_ptr(b, s.b, r, c), yr);
    }
  }
}

}  // namespace

#define WASMQ_QDRIVER(name, T, O, P, Config, opfn, opcfn)                                                   \
  void name(const BinaryShape& s, const T* a, const T* b, O* y, const P& p, size_t r0, size_t r1,           \
            const Config& cfg) {                                                                            \
    const P q = swap_operands(p);                                                                           \
    drive<T, O>(                                                                                            \
        s, a, b, y, r0, r1, [&](size_t n, const T* x, const T* z, O* o) { cfg.opfn(n, x, z, o, p); },       \
        [&](size_t n, const T* x, const T* k, O* o) { cfg.opcfn(n, x, k, o, p); },                          \
        [&](size_t n, const T* x, const T* k, O* o) { cfg.opcfn(n, x, k, o, q); });                         \
  }
WASMQ_QDRIVER(qs8_add, int8_t, int8_t, QAddParams, ElementwiseConfig, qs8_add, qs8_addc)
WASMQ_QDRIVER(qu8_add, uint8_t, uint8_t, QAddParams, ElementwiseConfig, qu8_add, qu8_addc)
WASMQ_QDRIVER(qs8_mul, int8_t, int8_t, QMulParams, ElementwiseConfig, qs8_mul, qs8_mulc)
WASMQ_QDRIVER(qu8_mul, uint8_t, uint8_t, QMulParams, ElementwiseConfig, qu8_mul, qu8_mulc)
WASMQ_QDRIVER(qs8_qs16_add, int8_t, int16_t, QAddParams, Elementwise16Config, add, addc)
WASMQ_QDRIVER(qs8_qs16_mul, int8_t, int16_t, QMulParams, Elementwise16Config, mul, mulc)
#undef WASMQ_QDRIVER

void f32_binary(BinaryOp op, const BinaryShape& s, const float* a, const float* b, float* y, const F32MinMaxParams& p,
                size_t r0, size_t r1, const ElementwiseConfig& cfg) {
  const int k = static_cast<int>(op);
  WASMQ_CHECK(k >= 0 && k < 6, "f32_binary: unknown op");
  const F32BinaryKernels& f = cfg.f32[k];
  drive<float, float>(
      s, a, b, y, r0, r1, [&](size_t n, const float* x, const float* z, float* o) { f.op(n, x, z, o, p); },
      [&](size_t n, const float* x, const float* c, float* o) { f.opc(n, x, c, o, p); },
      [&](size_t n, const float* x, const float* c, float* o) { f.ropc(n, x, c, o, p); });
}

}  // namespace wasmq

// Chooses the int8 GEMM kernels and their packing for this build: WASM SIMD 2x4c8 on int16-packed
// weights (the fastest measured, docs/kernels-gemm.md) when compiled in, else the scalar reference.
#include "kernels/qs8-gemm/qs8-gemm.h"

namespace wasmq {

const QGemmConfig& qgemm_config() {
#if defined(WASMQ_HAVE_WASMSIMD)
#define WASMQ_QGEMM_PICK(name) name##__wasmsimd_dot16x2_2x4c8w16
#else
#define WASMQ_QGEMM_PICK(name) name##__scalar_w16
#endif
  static const QGemmConfig config = {
      qs8_packw_w16,
      2,
      WASMQ_QGEMM_PICK(qs8_gemm_acc32),
      WASMQ_QGEMM_PICK(qu8_gemm_acc32),
      WASMQ_QGEMM_PICK(qs8_gemm_minmax_fp32),
      WASMQ_QGEMM_PICK(qu8_gemm_minmax_fp32),
      WASMQ_QGEMM_PICK(qs8_gemm_f32),
      WASMQ_QGEMM_PICK(qu8_gemm_f32),
  };
#undef WASMQ_QGEMM_PICK
  return config;
}

const QGemmColConfig& qgemm_col_config() {
#if defined(WASMQ_HAVE_WASMSIMD)
  static const QGemmColConfig config = {
      qs8_gemm_minmax_fp32_2x16c2__wasmsimd_dot16x2, qs8_gemm_minmax_fp32_2x8c2__wasmsimd_dot16x2,
      qu8_gemm_minmax_fp32_2x16c2__wasmsimd_dot16x2, qu8_gemm_minmax_fp32_2x8c2__wasmsimd_dot16x2};
#else
  static const QGemmColConfig config = {nullptr, nullptr, nullptr, nullptr};
#endif
  return config;
}

}  // namespace wasmq

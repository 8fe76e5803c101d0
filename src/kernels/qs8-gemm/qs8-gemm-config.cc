// Chooses the int8 (and int16-activation) GEMM kernels and their packing for this build: WASM SIMD 2x4c8 on
// int16-packed weights (the fastest measured, docs/kernels-gemm.md) when compiled in, else the scalar reference.
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

// Same tile and packing as qgemm_config() (qs8_packw_w16, w_bytes 2), so one packed buffer serves both.
const QGemm16Config& qgemm16_config() {
#if defined(WASMQ_HAVE_WASMSIMD)
  static const QGemm16Config config = {qs8_qs16_gemm_minmax_fp32__wasmsimd_dot16x2_2x4c8w16,
                                       qs16_qs8_gemm_minmax_fp32__wasmsimd_dot16x2_2x4c8w16,
                                       qs16_gemm_minmax_fp32__wasmsimd_dot16x2_2x4c8w16};
#else
  static const QGemm16Config config = {qs8_qs16_gemm_minmax_fp32__scalar_w16, qs16_qs8_gemm_minmax_fp32__scalar_w16,
                                       qs16_gemm_minmax_fp32__scalar_w16};
#endif
  return config;
}

const QGemmCol16Config& qgemm_col16_config() {
#if defined(WASMQ_HAVE_WASMSIMD)
  static const QGemmCol16Config config = {
      qs8_qs16_gemm_minmax_fp32_2x16c2__wasmsimd_dot16x2, qs8_qs16_gemm_minmax_fp32_2x8c2__wasmsimd_dot16x2,
      qs16_qs8_gemm_minmax_fp32_2x16c2__wasmsimd_dot16x2, qs16_qs8_gemm_minmax_fp32_2x8c2__wasmsimd_dot16x2,
      qs16_gemm_minmax_fp32_2x16c2__wasmsimd_dot16x2,     qs16_gemm_minmax_fp32_2x8c2__wasmsimd_dot16x2};
#else
  static const QGemmCol16Config config = {nullptr, nullptr, nullptr, nullptr, nullptr, nullptr};
#endif
  return config;
}

}  // namespace wasmq

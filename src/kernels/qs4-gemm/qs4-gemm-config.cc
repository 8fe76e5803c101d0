// Chooses the block-int4 kernels for this build: WASM SIMD 1x4 (GEMV) and 4x4 tiles, else scalar.
#include "kernels/qs4-gemm/qs4-gemm.h"

namespace wasmq {

const Qs4GemmConfig& qs4_gemm_config() {
#if defined(WASMQ_HAVE_WASMSIMD)
  static const Qs4GemmConfig config = {f32_qb4w_gemm_minmax__wasmsimd_1x4c32, f32_qb4w_gemm_minmax__wasmsimd_4x4c32,
                                       qb8_qb4w_gemm_minmax__wasmsimd_1x4c32, qb8_qb4w_gemm_minmax__wasmsimd_4x4c32};
#else
  static const Qs4GemmConfig config = {f32_qb4w_gemm_minmax__scalar, f32_qb4w_gemm_minmax__scalar,
                                       qb8_qb4w_gemm_minmax__scalar, qb8_qb4w_gemm_minmax__scalar};
#endif
  return config;
}

}  // namespace wasmq

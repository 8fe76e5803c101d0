// Chooses the int8 GEMM kernels for this build: WASM SIMD 4x4c8 when compiled in, else scalar.
#include "kernels/qs8-gemm/qs8-gemm.h"

namespace wasmq {

const QGemmConfig& qgemm_config() {
#if defined(WASMQ_HAVE_WASMSIMD)
#define WASMQ_QGEMM_PICK(name) name##__wasmsimd_dot16x2_4x4c8
#else
#define WASMQ_QGEMM_PICK(name) name##__scalar
#endif
  static const QGemmConfig config = {
      WASMQ_QGEMM_PICK(qs8_gemm_acc32),       WASMQ_QGEMM_PICK(qu8_gemm_acc32),
      WASMQ_QGEMM_PICK(qs8_gemm_minmax_fp32), WASMQ_QGEMM_PICK(qu8_gemm_minmax_fp32),
      WASMQ_QGEMM_PICK(qs8_gemm_f32),         WASMQ_QGEMM_PICK(qu8_gemm_f32),
  };
#undef WASMQ_QGEMM_PICK
  return config;
}

}  // namespace wasmq

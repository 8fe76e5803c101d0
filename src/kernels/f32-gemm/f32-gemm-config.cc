// Chooses the float32 GEMM kernel for this build (the fastest measured WASM SIMD tile, else scalar).
#include "kernels/f32-gemm/f32-gemm.h"

namespace wasmq {

const F32GemmConfig& f32_gemm_config() {
#if defined(WASMQ_HAVE_WASMSIMD)
  static const F32GemmConfig config = {f32_gemm_minmax__wasmsimd_loadsplat_4x8, "f32_gemm_minmax__wasmsimd_loadsplat_4x8"};
#else
  static const F32GemmConfig config = {f32_gemm_minmax__scalar, "f32_gemm_minmax__scalar"};
#endif
  return config;
}

}  // namespace wasmq

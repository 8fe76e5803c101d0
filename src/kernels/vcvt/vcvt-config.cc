// Chooses the conversion kernels for this build: WASM SIMD when compiled in, else the scalar ones.
#include "kernels/vcvt/vcvt.h"

namespace wasmq {

const VcvtConfig& vcvt_config() {
#if defined(WASMQ_HAVE_WASMSIMD)
  static const VcvtConfig config = {
      f32_qs8_vcvt__wasmsimd_x16, f32_qu8_vcvt__wasmsimd_x16, qs8_f32_vcvt__wasmsimd_x16,
      qu8_f32_vcvt__wasmsimd_x16, x8_pack4__wasmsimd_x32,     qs4_unpack__wasmsimd_x32,
      qu4_unpack__wasmsimd_x32,
  };
#else
  static const VcvtConfig config = {
      f32_qs8_vcvt__scalar, f32_qu8_vcvt__scalar, qs8_f32_vcvt__scalar, qu8_f32_vcvt__scalar,
      x8_pack4__scalar,     qs4_unpack__scalar,   qu4_unpack__scalar,
  };
#endif
  return config;
}

}  // namespace wasmq

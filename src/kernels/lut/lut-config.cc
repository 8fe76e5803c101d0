// Chooses the table-lookup kernels (8-bit and int16 outputs) for this build (see the measured table in docs/kernels-nn.md).
#include "kernels/lut/lut.h"

namespace wasmq {

x8_lut_fn x8_lut_config() {
#if defined(WASMQ_HAVE_WASMSIMD)
  return x8_lut__wasmsimd_x32;
#else
  return x8_lut__scalar;
#endif
}

x8_lut16_fn x8_lut16_config() {
#if defined(WASMQ_HAVE_WASMSIMD)
  return x8_lut16__wasmsimd_x16;
#else
  return x8_lut16__scalar;
#endif
}

}  // namespace wasmq

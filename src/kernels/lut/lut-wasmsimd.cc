// WASM SIMD table lookup: 16 swizzles over the 16 table slices, OR-combined. swizzle(t, idx) is 0
// for idx >= 16 (as unsigned), and idx - 16k wraps to >= 16 for every slice but the right one.
#include "kernels/lut/lut.h"
#include "simd/wasm_simd.h"

#if defined(WASMQ_HAVE_WASMSIMD)

namespace wasmq {
namespace {

struct Table16 {
  v128_t t[16];
  explicit Table16(const uint8_t* table) {
    for (int k = 0; k < 16; ++k) t[k] = wasm_v128_load(table + 16 * k);
  }
  v128_t lookup(v128_t x) const {
    const v128_t sixteen = wasm_i8x16_splat(16);
    v128_t y = wasm_i8x16_swizzle(t[0], x);
    for (int k = 1; k < 16; ++k) {
      x = wasm_i8x16_sub(x, sixteen);
      y = wasm_v128_or(y, wasm_i8x16_swizzle(t[k], x));
    }
    return y;
  }
};

}  // namespace

void x8_lut__wasmsimd_x16(size_t n, const uint8_t* x, uint8_t* y, const uint8_t* table) {
  const Table16 t(table);
  size_t i = 0;
  for (; i + 16 <= n; i += 16) wasm_v128_store(y + i, t.lookup(wasm_v128_load(x + i)));
  x8_lut__scalar(n - i, x + i, y + i, table);
}

void x8_lut__wasmsimd_x32(size_t n, const uint8_t* x, uint8_t* y, const uint8_t* table) {
  const Table16 t(table);
  const v128_t sixteen = wasm_i8x16_splat(16);
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    v128_t x0 = wasm_v128_load(x + i), x1 = wasm_v128_load(x + i + 16);
    v128_t y0 = wasm_i8x16_swizzle(t.t[0], x0), y1 = wasm_i8x16_swizzle(t.t[0], x1);
    for (int k = 1; k < 16; ++k) {
      x0 = wasm_i8x16_sub(x0, sixteen);
      x1 = wasm_i8x16_sub(x1, sixteen);
      y0 = wasm_v128_or(y0, wasm_i8x16_swizzle(t.t[k], x0));
      y1 = wasm_v128_or(y1, wasm_i8x16_swizzle(t.t[k], x1));
    }
    wasm_v128_store(y + i, y0);
    wasm_v128_store(y + i + 16, y1);
  }
  for (; i + 16 <= n; i += 16) wasm_v128_store(y + i, t.lookup(wasm_v128_load(x + i)));
  x8_lut__scalar(n - i, x + i, y + i, table);
}

}  // namespace wasmq

#endif  // WASMQ_HAVE_WASMSIMD

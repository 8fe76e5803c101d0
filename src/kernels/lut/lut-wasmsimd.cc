// WASM SIMD table lookups: 16 swizzles over the 16 table slices, OR-combined. swizzle(t, idx) is 0
// for idx >= 16 (as unsigned), and idx - 16k wraps to >= 16 for every slice but the right one.
// int16 tables are looked up as two byte tables (low and high bytes) and the results interleaved.
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
  // The low (high = false) or high bytes of a 256-entry int16 table (little-endian lanes).
  Table16(const int16_t* table, bool high) {
    for (int k = 0; k < 16; ++k) {
      const v128_t e0 = wasm_v128_load(table + 16 * k), e1 = wasm_v128_load(table + 16 * k + 8);
      t[k] = high ? wasm_i8x16_shuffle(e0, e1, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31)
                  : wasm_i8x16_shuffle(e0, e1, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    }
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

void x8_lut16__wasmsimd_x16(size_t n, const uint8_t* x, int16_t* y, const int16_t* table) {
  const Table16 lo(table, false), hi(table, true);
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const v128_t xv = wasm_v128_load(x + i);
    const v128_t l = lo.lookup(xv), h = hi.lookup(xv);
    wasm_v128_store(y + i, wasm_i8x16_shuffle(l, h, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23));
    wasm_v128_store(y + i + 8, wasm_i8x16_shuffle(l, h, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31));
  }
  x8_lut16__scalar(n - i, x + i, y + i, table);
}

}  // namespace wasmq

#endif  // WASMQ_HAVE_WASMSIMD

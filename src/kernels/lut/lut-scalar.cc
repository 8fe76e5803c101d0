// Scalar reference table lookups, 8-bit and int16 outputs: y[i] = table[x[i]].
#include "kernels/lut/lut.h"

namespace wasmq {

namespace {

template <typename In, typename Out>
void lookup(size_t n, const In* x, Out* y, const Out* table) {
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const Out a = table[x[i]], b = table[x[i + 1]], c = table[x[i + 2]], d = table[x[i + 3]];
    y[i] = a;
    y[i + 1] = b;
    y[i + 2] = c;
    y[i + 3] = d;
  }
  for (; i < n; ++i) y[i] = table[x[i]];
}

}  // namespace

void x8_lut__scalar(size_t n, const uint8_t* x, uint8_t* y, const uint8_t* table) { lookup(n, x, y, table); }

void x8_lut16__scalar(size_t n, const uint8_t* x, int16_t* y, const int16_t* table) { lookup(n, x, y, table); }

void x16_lut__scalar(size_t n, const uint16_t* x, uint8_t* y, const uint8_t* table) { lookup(n, x, y, table); }

void x16_lut16__scalar(size_t n, const uint16_t* x, int16_t* y, const int16_t* table) { lookup(n, x, y, table); }

}  // namespace wasmq
